import bcryptjs from "bcryptjs";
import { describe, expect, it } from "vitest";
import {
  checkImportedDigest,
  hashPassword,
  hasherOf,
  needsRehash,
  normalizeAuth0PasswordHash,
  normalizeImportedDigest,
  PASSWORD_HASHERS,
  verifyPassword,
} from "../../src/passwords/hasher.js";
import { betterAuthHash, djangoHash, phcPbkdf2Hash, phpassHash } from "./encoders.js";

describe("imported digests, whatever their shape", () => {
  it("lists every name password_hasher accepts: ours and Clerk's", () => {
    expect([...PASSWORD_HASHERS].sort()).toEqual(
      [
        "argon2i",
        "argon2id",
        "bcrypt",
        "md5_phpass",
        "pbkdf2",
        "pbkdf2_sha256",
        "pbkdf2_sha256_django",
        "pbkdf2_sha512",
        "phpass",
        "scrypt_better_auth",
        "scrypt_firebase",
        "wordpress",
      ].sort(),
    );
    expect(normalizeImportedDigest({ digest: "5f4dcc3b5aa765d61d8327deb882cf99", hasher: "md5" })).toEqual({
      field: "password_hasher",
      rule: `must be one of ${PASSWORD_HASHERS.join(", ")}`,
    });
  });

  it("stores every format as a string that names it, and every one needs a rehash to our argon2id", async () => {
    const stored = [
      bcryptjs.hashSync("pw", 4),
      "$argon2i$v=19$m=16,t=2,p=1$bGJRWThNOHJJTVBSdHl2dQ$NfEnUOuUpb7F2fQkgFUG4g",
      "$fbscrypt$v=1,n=14,r=8,p=1,ss=Bw==,sk=ou9tdYTGyYm8kuR6Dt0Bp0kDuAYoXrK16mbZO4yGwAn3oLspjnN0/c41v8xZnO1n14J3MjKj1b2g6AUCAlFwMw==$C0sHCg9ek77hsg==$zKVTMvnWVw5BBOZNUdnsalx4c4c7y/w7IS5p6Ut2+CfEFFlz37J9huyQfov4iizN8dbjvEJlM5tQaJP84+hfTw==",
      (normalizeImportedDigest({ digest: betterAuthHash("pw", "00112233445566778899aabbccddeeff"), hasher: "scrypt_better_auth" }) as { stored: string })
        .stored,
      (normalizeImportedDigest({ digest: djangoHash("pw", "salt", 1000), hasher: "pbkdf2_sha256_django" }) as { stored: string }).stored,
      phcPbkdf2Hash("pw", "sha512", 1000, 64),
      phpassHash("pw", 8),
    ];
    expect(stored.map(hasherOf)).toEqual(["bcrypt", "argon2", "scrypt_firebase", "scrypt_better_auth", "pbkdf2", "pbkdf2", "phpass"]);
    for (const digest of stored) expect(needsRehash(digest), digest).toBe(true);
    expect(needsRehash(await hashPassword("pw"))).toBe(false);
    expect(needsRehash("")).toBe(true);
  });

  it("refuses, without hashing, a digest whose shape does not match its hasher", () => {
    const bcrypt = bcryptjs.hashSync("pw", 4);
    for (const hasher of ["argon2id", "scrypt_firebase", "scrypt_better_auth", "pbkdf2", "pbkdf2_sha256_django", "phpass"]) {
      expect(normalizeImportedDigest({ digest: bcrypt, hasher }), hasher).toMatchObject({ field: "password_digest" });
    }
    expect(checkImportedDigest(bcrypt, "bcrypt")).toBeNull();
    expect(checkImportedDigest(bcrypt.replace("$04$", "$13$"), "bcrypt")).toBe("must have a bcrypt cost of at most 12");
  });

  it("never verifies a string in no format we know", async () => {
    for (const stored of ["", "plain text", "5f4dcc3b5aa765d61d8327deb882cf99", "pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c="]) {
      expect(hasherOf(stored)).toBeNull();
      expect(await verifyPassword(stored, "lètmein")).toBe(false);
    }
  });

  describe("Auth0 custom_password_hash", () => {
    it("converts bcrypt, argon2 and pbkdf2, which verify", async () => {
      // The bcrypt example of Auth0's bulk-import schema, password "hello".
      const bcrypt = normalizeAuth0PasswordHash({ algorithm: "bcrypt", hash: { value: "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K" } });
      expect(bcrypt).toEqual({ stored: "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K" });
      const argon2 = normalizeAuth0PasswordHash({
        algorithm: "argon2",
        hash: { value: "$argon2id$v=19$m=32,t=3,p=2$SFVpOWJ0eXhjRzVkdGN1RQ$RXnb8rh7LaDcn07xsssqqulZYXOM/EUCEFMVcAcyYVk", encoding: "utf8" },
      });
      const pbkdf2Digest = phcPbkdf2Hash("auth0 pw", "sha256", 10_000, 64);
      const pbkdf2 = normalizeAuth0PasswordHash({ algorithm: "pbkdf2", hash: { value: pbkdf2Digest } });
      expect(pbkdf2).toEqual({ stored: pbkdf2Digest });
      expect(await verifyPassword((bcrypt as { stored: string }).stored, "hello")).toBe(true);
      expect(await verifyPassword((argon2 as { stored: string }).stored, "test")).toBe(true);
      expect(await verifyPassword(pbkdf2Digest, "auth0 pw")).toBe(true);
    });

    it("refuses the algorithms and options it does not take, and digests over the caps", () => {
      const refusals = [
        normalizeAuth0PasswordHash({ algorithm: "md5", hash: { value: "5f4dcc3b5aa765d61d8327deb882cf99", encoding: "hex" } }),
        normalizeAuth0PasswordHash({ algorithm: "sha256", hash: { value: "abc", encoding: "hex" } }),
        normalizeAuth0PasswordHash({
          algorithm: "bcrypt",
          hash: { value: "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K" },
          salt: { value: "pepper" },
        }),
        normalizeAuth0PasswordHash({
          algorithm: "bcrypt",
          hash: { value: "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K" },
          password: { encoding: "latin1" },
        }),
        normalizeAuth0PasswordHash({ algorithm: "argon2", hash: { value: "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K" } }),
        normalizeAuth0PasswordHash({ algorithm: "bcrypt", hash: { value: "$2b$14$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K" } }),
      ];
      for (const refusal of refusals) expect(refusal).toMatchObject({ field: "password_digest", rule: expect.any(String) });
      expect(refusals[5]).toEqual({ field: "password_digest", rule: "must have a bcrypt cost of at most 12" });
    });
  });
});
