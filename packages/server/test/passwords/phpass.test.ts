import { describe, expect, it } from "vitest";
import { MAX_IMPORTED_PHPASS_LOG2_COUNT, needsRehash, normalizeImportedDigest, verifyPassword } from "../../src/passwords/hasher.js";
import { phpassHash } from "./encoders.js";

// phpass's own test.php.
const PHPASS_VECTOR = { digest: "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", password: "test12345" };

describe("phpass digests", () => {
  it.each(["phpass", "md5_phpass"] as const)("verifies phpass's test vector as %s", async (hasher) => {
    expect(normalizeImportedDigest({ digest: PHPASS_VECTOR.digest, hasher })).toEqual({ stored: PHPASS_VECTOR.digest });
    expect(await verifyPassword(PHPASS_VECTOR.digest, PHPASS_VECTOR.password)).toBe(true);
    expect(await verifyPassword(PHPASS_VECTOR.digest, "test12346")).toBe(false);
    expect(needsRehash(PHPASS_VECTOR.digest)).toBe(true);
  });

  it("verifies WordPress ($P$B, 2^13) and phpBB ($H$) digests from an independent encoder", async () => {
    for (const digest of [phpassHash("wördpress", 13, "Xy9./abc"), phpassHash("wördpress", 8, "12345678", "$H$")]) {
      expect(normalizeImportedDigest({ digest, hasher: "phpass" })).toEqual({ stored: digest });
      expect(await verifyPassword(digest, "wördpress"), digest).toBe(true);
      expect(await verifyPassword(digest, "wordpress"), digest).toBe(false);
    }
    expect(phpassHash("x", 13)[3]).toBe("B");
  });

  it("verifies a digest at the count cap, 2^16", async () => {
    const digest = phpassHash("at the cap", MAX_IMPORTED_PHPASS_LOG2_COUNT);
    expect(digest[3]).toBe("E");
    expect(normalizeImportedDigest({ digest, hasher: "phpass" })).toEqual({ stored: digest });
    expect(await verifyPassword(digest, "at the cap")).toBe(true);
  });

  it("refuses a count over 2^16 or under 2^7, naming the limit, and malformed digests", () => {
    const over = phpassHash("x", 8).replace(/^\$P\$./, "$P$F");
    expect(normalizeImportedDigest({ digest: over, hasher: "phpass" })).toEqual({
      field: "password_digest",
      rule: "must have a count of at most 2^16 (the character after $P$ at most 'E')",
    });
    const under = phpassHash("x", 8).replace(/^\$P\$./, "$P$4");
    expect(normalizeImportedDigest({ digest: under, hasher: "phpass" })).toEqual({ field: "password_digest", rule: "must have a count of at least 2^7" });
    for (const digest of [
      `${PHPASS_VECTOR.digest}x`,
      PHPASS_VECTOR.digest.slice(0, -1),
      PHPASS_VECTOR.digest.replace(/.$/, "!"),
      "$Q$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0",
      "$1$abc",
    ]) {
      expect(normalizeImportedDigest({ digest, hasher: "phpass" }), digest).toMatchObject({ field: "password_digest" });
    }
  });
});
