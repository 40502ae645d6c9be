import { pbkdf2Sync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_IMPORTED_PBKDF2_ITERATIONS, needsRehash, normalizeImportedDigest, verifyPassword, type PasswordHasher } from "../../src/passwords/hasher.js";
import { djangoHash, phcPbkdf2Hash } from "./encoders.js";

// Django's tests/auth_tests/test_hashers.py (4.1 era).
const DJANGO_VECTOR = { digest: "pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", password: "lètmein" };

function storedOf(digest: string, hasher: PasswordHasher): string {
  const normalized = normalizeImportedDigest({ digest, hasher });
  if (!("stored" in normalized)) throw new Error(`refused: ${normalized.rule}`);
  return normalized.stored;
}

/** A digest whose cost is checked without hashing: a real salt and hash, any iteration count. */
const withIterations = (digest: "sha256" | "sha512", iterations: number, keyLength: number) =>
  `$pbkdf2-${digest}$i=${iterations},l=${keyLength}$c2FsdHNhbHQ$${randomBytes(keyLength).toString("base64").replace(/=+$/, "")}`;

describe("PBKDF2 digests", () => {
  it("verifies Django's vector, converted to PHC form with the salt's text as bytes", async () => {
    const stored = storedOf(DJANGO_VECTOR.digest, "pbkdf2_sha256_django");
    expect(stored).toBe("$pbkdf2-sha256$i=390000,l=32$c2Vhc2FsdA$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c");
    expect(await verifyPassword(stored, DJANGO_VECTOR.password)).toBe(true);
    expect(await verifyPassword(stored, "letmein")).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it("verifies Django digests made by an independent implementation", async () => {
    const stored = storedOf(djangoHash("django pw", "Wq3Ul5bFs8eZa1b2c3d4e5", 10_000), "pbkdf2_sha256_django");
    expect(await verifyPassword(stored, "django pw")).toBe(true);
    expect(await verifyPassword(stored, "django pW")).toBe(false);
  });

  it("verifies PHC digests over SHA-256 and SHA-512 (Auth0's format), kept as they are", async () => {
    for (const digest of [
      phcPbkdf2Hash("phc pw", "sha256", 5_000, 32),
      phcPbkdf2Hash("phc pw", "sha256", 5_000, 64),
      phcPbkdf2Hash("phc pw", "sha512", 5_000, 64),
    ]) {
      expect(storedOf(digest, "pbkdf2")).toBe(digest);
      expect(await verifyPassword(digest, "phc pw"), digest).toBe(true);
      expect(await verifyPassword(digest, "phc pw "), digest).toBe(false);
    }
    expect(normalizeImportedDigest({ digest: phcPbkdf2Hash("x", "sha512", 1000, 64), hasher: "pbkdf2_sha256" })).toMatchObject({ field: "password_digest" });
  });

  it("converts Clerk's pbkdf2_sha256 (base64 salt) and pbkdf2_sha512 (text salt, hex hash)", async () => {
    const salt = randomBytes(16);
    const clerk256 = `pbkdf2_sha256$4000$${salt.toString("base64")}$${pbkdf2Sync("clerk pw", salt, 4000, 32, "sha256").toString("base64")}`;
    const clerk512 = `pbkdf2_sha512$4000$pepper$${pbkdf2Sync("clerk pw", "pepper", 4000, 64, "sha512").toString("hex")}`;
    for (const [digest, hasher] of [
      [clerk256, "pbkdf2_sha256"],
      [clerk512, "pbkdf2_sha512"],
    ] as const) {
      const stored = storedOf(digest, hasher);
      expect(stored.startsWith(`$pbkdf2-${hasher.slice(-6)}$i=4000,`)).toBe(true);
      expect(await verifyPassword(stored, "clerk pw")).toBe(true);
      expect(await verifyPassword(stored, "clerk pw!")).toBe(false);
    }
  });

  it("refuses malformed digests", () => {
    const cases: Array<[digest: string, hasher: PasswordHasher]> = [
      ["pbkdf2_sha256$390000$seasalt", "pbkdf2_sha256_django"],
      ["pbkdf2_sha256$0390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", "pbkdf2_sha256_django"],
      ["pbkdf2_sha1$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", "pbkdf2_sha256_django"],
      ["pbkdf2_sha256$390000$seasalt$not base64", "pbkdf2_sha256_django"],
      ["pbkdf2_sha256$390000$$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", "pbkdf2_sha256_django"],
      ["pbkdf2_sha512$4000$pepper$nothex", "pbkdf2_sha512"],
      ["pbkdf2_sha256$4000$!!$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", "pbkdf2_sha256"],
      ["$pbkdf2-sha256$i=1000,l=31$c2FsdA$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c", "pbkdf2"],
      ["$pbkdf2-sha1$i=1000,l=20$c2FsdA$8xBlGd3jVgvJ+92hWPxi5ww0uuA", "pbkdf2"],
      ["$pbkdf2-sha256$i=0,l=32$c2FsdA$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c", "pbkdf2"],
      ["$pbkdf2-sha256$i=1000$c2FsdA$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c", "pbkdf2"],
    ];
    for (const [digest, hasher] of cases) expect(normalizeImportedDigest({ digest, hasher }), digest).toMatchObject({ field: "password_digest" });
  });

  it("takes Django 6.0's 1.2 M iterations and up to 1.3 M, counting each block of a long key, and refuses one more", () => {
    expect(MAX_IMPORTED_PBKDF2_ITERATIONS).toBe(1_300_000);
    const django60 = `pbkdf2_sha256$1200000$seasalt$${randomBytes(32).toString("base64")}`;
    expect(normalizeImportedDigest({ digest: django60, hasher: "pbkdf2_sha256_django" })).toHaveProperty("stored");
    for (const digest of [withIterations("sha256", 1_300_000, 32), withIterations("sha256", 650_000, 64), withIterations("sha512", 1_300_000, 64)]) {
      expect(normalizeImportedDigest({ digest, hasher: "pbkdf2" }), digest).toHaveProperty("stored");
    }
    for (const [digest, block] of [
      [withIterations("sha256", 1_300_001, 32), 32],
      [withIterations("sha256", 650_001, 64), 32],
      [withIterations("sha512", 1_300_001, 64), 64],
    ] as const) {
      expect(normalizeImportedDigest({ digest, hasher: "pbkdf2" }), digest).toEqual({
        field: "password_digest",
        rule: `must have at most 1300000 iterations (i=, times each block of ${block} bytes of key)`,
      });
    }
  });
});
