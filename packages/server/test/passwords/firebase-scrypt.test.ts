import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_IMPORTED_SCRYPT_COST, needsRehash, normalizeImportedDigest, verifyPassword } from "../../src/passwords/hasher.js";
import { firebaseScryptHash } from "./encoders.js";

// firebase/scrypt README's sample.
const README = {
  signerKey: "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
  saltSeparator: "Bw==",
  rounds: 8,
  memCost: 14,
  salt: "42xEC+ixf3L2lw==",
  password: "user1password",
  hash: "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
};
// Supabase's test (internal/crypto/password_test.go).
const SUPABASE =
  "$fbscrypt$v=1,n=14,r=8,p=1,ss=Bw==,sk=ou9tdYTGyYm8kuR6Dt0Bp0kDuAYoXrK16mbZO4yGwAn3oLspjnN0/c41v8xZnO1n14J3MjKj1b2g6AUCAlFwMw==$C0sHCg9ek77hsg==$zKVTMvnWVw5BBOZNUdnsalx4c4c7y/w7IS5p6Ut2+CfEFFlz37J9huyQfov4iizN8dbjvEJlM5tQaJP84+hfTw==";
const firebaseConfig = { signerKey: README.signerKey, saltSeparator: README.saltSeparator, rounds: README.rounds, memCost: README.memCost };

function storedOf(input: Parameters<typeof normalizeImportedDigest>[0]): string {
  const normalized = normalizeImportedDigest(input);
  if (!("stored" in normalized)) throw new Error(`refused: ${normalized.field} ${normalized.rule}`);
  return normalized.stored;
}

/** A syntactically valid $fbscrypt$ string with the given cost (caps are checked without hashing). */
const withCost = (n: number, r: number, p: number) => SUPABASE.replace("n=14,r=8,p=1", `n=${n},r=${r},p=${p}`);

describe("Firebase scrypt digests", () => {
  it("verifies the firebase/scrypt README vector, given as an export's passwordHash + salt + the project's config", async () => {
    const stored = storedOf({ digest: README.hash, salt: README.salt, hasher: "scrypt_firebase", firebase: firebaseConfig });
    expect(stored).toBe(`$fbscrypt$v=1,n=14,r=8,p=1,ss=Bw==,sk=${README.signerKey}$${README.salt}$${README.hash}`);
    expect(await verifyPassword(stored, README.password)).toBe(true);
    expect(await verifyPassword(stored, "user2password")).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it("verifies Supabase's $fbscrypt$ vector, kept as it is", async () => {
    expect(storedOf({ digest: SUPABASE, hasher: "scrypt_firebase" })).toBe(SUPABASE);
    expect(await verifyPassword(SUPABASE, "mytestpassword")).toBe(true);
    expect(await verifyPassword(SUPABASE, "mytestpassworD")).toBe(false);
  });

  it("converts Clerk's <hash>$<salt>$<signer key>$<salt separator>$<rounds>$<memory cost>", async () => {
    const clerk = [README.hash, README.salt, README.signerKey, README.saltSeparator, "8", "14"].join("$");
    const stored = storedOf({ digest: clerk, hasher: "scrypt_firebase" });
    expect(stored.startsWith("$fbscrypt$v=1,n=14,r=8,p=1,ss=Bw==,")).toBe(true);
    expect(await verifyPassword(stored, README.password)).toBe(true);
  });

  it("verifies digests made by an independent implementation, with URL-safe base64 in the export", async () => {
    const salt = randomBytes(12);
    const saltSeparator = Buffer.from([7]);
    const signerKey = randomBytes(64);
    const hash = firebaseScryptHash("firebäse pässword", { salt, saltSeparator, signerKey, rounds: 8, memCost: 14 });
    const stored = storedOf({
      digest: hash.toString("base64url"),
      salt: salt.toString("base64url"),
      hasher: "scrypt_firebase",
      firebase: { signerKey: signerKey.toString("base64"), saltSeparator: saltSeparator.toString("base64"), rounds: 8, memCost: 14 },
    });
    expect(await verifyPassword(stored, "firebäse pässword")).toBe(true);
    expect(await verifyPassword(stored, "firebase password")).toBe(false);
  });

  it("refuses a bare hash without its salt or the project's config, and malformed digests", () => {
    expect(normalizeImportedDigest({ digest: README.hash, hasher: "scrypt_firebase", firebase: firebaseConfig })).toEqual({
      field: "salt",
      rule: expect.stringContaining("required"),
    });
    expect(normalizeImportedDigest({ digest: README.hash, salt: README.salt, hasher: "scrypt_firebase" })).toEqual({
      field: "firebase",
      rule: expect.stringContaining("signer key"),
    });
    expect(normalizeImportedDigest({ digest: README.hash, salt: "not base64!", hasher: "scrypt_firebase", firebase: firebaseConfig })).toEqual({
      field: "salt",
      rule: "must be base64",
    });
    expect(
      normalizeImportedDigest({ digest: README.hash, salt: README.salt, hasher: "scrypt_firebase", firebase: { ...firebaseConfig, signerKey: "%%%" } }),
    ).toEqual({ field: "firebase", rule: "signerKey must be base64" });
    expect(normalizeImportedDigest({ digest: README.hash, salt: README.salt, hasher: "bcrypt" })).toEqual({
      field: "salt",
      rule: expect.stringContaining("only taken with scrypt_firebase"),
    });
    const malformed = [
      SUPABASE.replace("v=1", "v=2"),
      SUPABASE.replace(/\$[^$]+$/, "$c2hvcnQ="), // hash shorter than the signer key
      SUPABASE.replace("$C0sHCg9ek77hsg==$", "$!!$"),
      SUPABASE.replace(/,sk=[^$]+/, ""),
      [README.hash, README.salt, README.signerKey, README.saltSeparator, "eight", "14"].join("$"),
      "$fbscrypt$",
      "a$b$c",
    ];
    for (const digest of malformed) expect(normalizeImportedDigest({ digest, hasher: "scrypt_firebase" }), digest).toMatchObject({ field: "password_digest" });
  });

  it("takes N×r×p up to 2^18 (Firebase's default is 2^17) and refuses one step over, naming the cap", () => {
    expect(MAX_IMPORTED_SCRYPT_COST).toBe(2 ** 18);
    for (const digest of [withCost(15, 8, 1), withCost(14, 16, 1), withCost(14, 8, 2), withCost(17, 2, 1)]) {
      expect(normalizeImportedDigest({ digest, hasher: "scrypt_firebase" }), digest).toHaveProperty("stored");
    }
    const rule = "must have an scrypt cost N×r×p of at most 262144 (2^18)";
    for (const digest of [withCost(16, 8, 1), withCost(14, 16, 2), withCost(15, 9, 1), withCost(20, 8, 1), withCost(31, 8, 1)]) {
      expect(normalizeImportedDigest({ digest, hasher: "scrypt_firebase" }), digest).toEqual({ field: "password_digest", rule });
    }
  });
});
