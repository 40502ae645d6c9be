import bcryptjs from "bcryptjs";
import { describe, expect, it } from "vitest";
import { hasherOf, needsRehash, normalizeImportedDigest, verifyPassword } from "../../src/passwords/hasher.js";
import { phpassHash, wordpressBcryptHash } from "./encoders.js";

describe("WordPress user_pass values", () => {
  it("verifies 6.8's $wp$2y$ (bcrypt over an HMAC-SHA384 pre-hash), kept as it is", async () => {
    const digest = wordpressBcryptHash("wp 6.8 pässword");
    expect(normalizeImportedDigest({ digest, hasher: "wordpress" })).toEqual({ stored: digest });
    expect(hasherOf(digest)).toBe("wordpress_bcrypt");
    expect(await verifyPassword(digest, "wp 6.8 pässword")).toBe(true);
    expect(await verifyPassword(digest, "wp 6.8 password")).toBe(false);
    expect(needsRehash(digest)).toBe(true);
  });

  it("counts a password past bcrypt's 72 bytes in full, as the pre-hash does", async () => {
    const long = "w".repeat(80);
    const digest = wordpressBcryptHash(long);
    expect(await verifyPassword(digest, long)).toBe(true);
    expect(await verifyPassword(digest, `${"w".repeat(72)}xxxxxxxx`)).toBe(false);
  });

  it("takes the older forms a WordPress table still holds: phpass $P$ and a plugin's plain bcrypt", async () => {
    for (const [digest, password] of [
      [phpassHash("old wp", 13), "old wp"],
      [bcryptjs.hashSync("plugin wp", 4).replace(/^\$2b\$/, "$2y$"), "plugin wp"],
    ] as const) {
      expect(normalizeImportedDigest({ digest, hasher: "wordpress" })).toEqual({ stored: digest });
      expect(await verifyPassword(digest, password)).toBe(true);
    }
  });

  it("refuses other shapes, and a $wp$ bcrypt over the cost cap", () => {
    expect(normalizeImportedDigest({ digest: "5f4dcc3b5aa765d61d8327deb882cf99", hasher: "wordpress" })).toEqual({
      field: "password_digest",
      rule: "must be a WordPress user_pass: $P$…, $wp$2y$… or $2y$…",
    });
    const overCap = wordpressBcryptHash("x").replace("$04$", "$13$");
    expect(normalizeImportedDigest({ digest: overCap, hasher: "wordpress" })).toEqual({
      field: "password_digest",
      rule: "must have a bcrypt cost of at most 12",
    });
    expect(normalizeImportedDigest({ digest: "$wp$2y$04$short", hasher: "wordpress" })).toMatchObject({ field: "password_digest" });
  });
});
