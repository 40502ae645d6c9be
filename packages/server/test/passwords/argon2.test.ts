import { hash } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { hashPassword, MAX_IMPORTED_ARGON2, needsRehash, normalizeImportedDigest, verifyPassword } from "../../src/passwords/hasher.js";

// Supabase's own test vectors (internal/crypto/password_test.go), password "test".
const SUPABASE_ARGON2I = "$argon2i$v=19$m=16,t=2,p=1$bGJRWThNOHJJTVBSdHl2dQ$NfEnUOuUpb7F2fQkgFUG4g";
const SUPABASE_ARGON2ID = "$argon2id$v=19$m=32,t=3,p=2$SFVpOWJ0eXhjRzVkdGN1RQ$RXnb8rh7LaDcn07xsssqqulZYXOM/EUCEFMVcAcyYVk";

/** A syntactically valid digest with the given parameters (the caps are checked without hashing). */
const withParameters = (variant: string, m: number, t: number, p: number, version = 19) =>
  `$${variant}$v=${version}$m=${m},t=${t},p=${p}$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g`;

describe("argon2 digests", () => {
  it.each([
    ["argon2i", SUPABASE_ARGON2I],
    ["argon2id", SUPABASE_ARGON2ID],
  ] as const)("verifies Supabase's %s vector", async (hasher, digest) => {
    const normalized = normalizeImportedDigest({ digest, hasher });
    expect(normalized).toEqual({ stored: digest });
    expect(await verifyPassword(digest, "test")).toBe(true);
    expect(await verifyPassword(digest, "Test")).toBe(false);
    expect(needsRehash(digest)).toBe(true);
  });

  it("verifies a digest made with other parameters, and keeps our own as they are", async () => {
    const imported = await hash("other provider", { algorithm: 2, memoryCost: 65536, timeCost: 2, parallelism: 4 });
    expect(normalizeImportedDigest({ digest: imported, hasher: "argon2id" })).toEqual({ stored: imported });
    expect(await verifyPassword(imported, "other provider")).toBe(true);
    expect(needsRehash(imported)).toBe(true);
    const ours = await hashPassword("other provider");
    expect(needsRehash(ours)).toBe(false);
    expect(await verifyPassword(ours, "other provider")).toBe(true);
  });

  it("refuses a digest of the other variant, another version or a malformed one", () => {
    const cases: Array<[hasher: "argon2i" | "argon2id", digest: string, rule: RegExp]> = [
      ["argon2id", SUPABASE_ARGON2I, /argon2id digest in PHC form/],
      ["argon2i", SUPABASE_ARGON2ID, /argon2i digest in PHC form/],
      ["argon2id", withParameters("argon2id", 19456, 2, 1, 16), /version 19/],
      ["argon2id", "$argon2id$v=19$m=19456,t=2,p=1$garbage", /PHC form/],
      ["argon2id", "$argon2d$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", /PHC form/],
      ["argon2id", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", /PHC form/], // a 4-byte salt
    ];
    for (const [hasher, digest, rule] of cases) {
      expect(normalizeImportedDigest({ digest, hasher }), digest).toEqual({ field: "password_digest", rule: expect.stringMatching(rule) });
    }
  });

  it("takes each cap at its edge and refuses one step over it, naming the limit", () => {
    expect(MAX_IMPORTED_ARGON2).toEqual({ memoryCost: 65536, memoryTimesPasses: 155648, parallelism: 4 });
    const accepted = [withParameters("argon2id", 65536, 2, 4), withParameters("argon2id", 38912, 4, 1), withParameters("argon2i", 51882, 3, 1)];
    for (const digest of accepted)
      expect(normalizeImportedDigest({ digest, hasher: digest.startsWith("$argon2id$") ? "argon2id" : "argon2i" }), digest).toHaveProperty("stored");
    const refused: Array<[digest: string, rule: string]> = [
      [withParameters("argon2id", 65537, 1, 1), "must use at most 65536 KiB of memory (m=)"],
      [withParameters("argon2id", 38913, 4, 1), "must have memory times passes (m= × t=) of at most 155648"],
      [withParameters("argon2id", 65536, 3, 1), "must have memory times passes (m= × t=) of at most 155648"],
      [withParameters("argon2id", 19456, 2, 5), "must use at most 4 lanes (p=)"],
    ];
    for (const [digest, rule] of refused) expect(normalizeImportedDigest({ digest, hasher: "argon2id" }), digest).toEqual({ field: "password_digest", rule });
  });

  it("never verifies a stored digest over the caps", async () => {
    const overCap = await hash("big", { algorithm: 2, memoryCost: 8192, timeCost: 20, parallelism: 1 });
    expect(await verifyPassword(overCap, "big")).toBe(false);
  });
});
