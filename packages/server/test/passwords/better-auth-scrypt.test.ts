import { describe, expect, it } from "vitest";
import { needsRehash, normalizeImportedDigest, verifyPassword } from "../../src/passwords/hasher.js";
import { betterAuthHash } from "./encoders.js";

// Made by better-auth 1.7.25's sign-up (migration-formats.md §1.5).
const VECTOR = {
  digest:
    "c7fe2d68a588f781f07d507a34c73cd1:ead3928d73c9084fa79d6dfae0f1a3b0b7c92784ec9aa4cb31406c494ed98fb8835e475dd6605fedd2b0d2a9fb6ffe3f6d6aa3d9d4a2f8d3d095f874b11a1cbe",
  password: "admin-password-123",
};

function storedOf(digest: string): string {
  const normalized = normalizeImportedDigest({ digest, hasher: "scrypt_better_auth" });
  if (!("stored" in normalized)) throw new Error(`refused: ${normalized.rule}`);
  return normalized.stored;
}

describe("Better Auth scrypt digests", () => {
  it("verifies the better-auth vector, stored with its tag", async () => {
    const stored = storedOf(VECTOR.digest);
    expect(stored).toBe(`$ba-scrypt$${VECTOR.digest}`);
    expect(storedOf(stored)).toBe(stored);
    expect(await verifyPassword(stored, VECTOR.password)).toBe(true);
    expect(await verifyPassword(stored, "admin-password-124")).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it("verifies an independent digest, normalising the password to NFKC as Better Auth does", async () => {
    const stored = storedOf(betterAuthHash("ﬁne ｐａｓｓ"));
    expect(await verifyPassword(stored, "ﬁne ｐａｓｓ")).toBe(true);
    expect(await verifyPassword(stored, "fine pass")).toBe(true); // the same password after NFKC
    expect(await verifyPassword(stored, "fine pas")).toBe(false);
  });

  it("uses the salt's hex text, so an upper-case salt is a different salt", async () => {
    const stored = storedOf(betterAuthHash("case", "ABCDEF0123456789ABCDEF0123456789"));
    expect(await verifyPassword(stored, "case")).toBe(true);
    expect(await verifyPassword(stored.replace("ABCDEF", "abcdef"), "case")).toBe(false);
  });

  it("refuses malformed digests", () => {
    const [salt, key] = VECTOR.digest.split(":") as [string, string];
    for (const digest of [
      `${salt}:${key.slice(2)}`,
      `${salt}${key}`,
      `${salt}:${key}x`,
      `zz${salt.slice(2)}:${key}`,
      `${salt.slice(0, 10)}:${key}`,
      "$ba-scrypt$nope",
      "",
    ]) {
      expect(normalizeImportedDigest({ digest, hasher: "scrypt_better_auth" }), digest).toEqual({
        field: "password_digest",
        rule: "must be a Better Auth scrypt digest: <hex salt>:<128 hex digits of key>",
      });
    }
  });
});
