import { createHmac } from "node:crypto";
import { bcrypt, bcryptLibrary } from "./bcrypt.js";
import type { StoredHashFormat } from "./format.js";

/**
 * WordPress 6.8+: `$wp` + a bcrypt digest of base64(HMAC-SHA384(key "wp-sha384", password)). The
 * pre-hash lets passwords longer than bcrypt's 72 bytes count in full. WordPress stores it with
 * its `$wp` prefix, which already names the format, so we keep it as it is.
 */
export const WORDPRESS_PREFIX = "$wp";

export const wordpressBcrypt: StoredHashFormat = {
  name: "wordpress_bcrypt",
  understands: (stored) => stored.startsWith(`${WORDPRESS_PREFIX}$2`),
  check: (stored) => bcrypt.check(stored.slice(WORDPRESS_PREFIX.length)),
  async verify(stored, password) {
    const preHashed = createHmac("sha384", "wp-sha384").update(password, "utf8").digest("base64");
    return (await bcryptLibrary()).verify(preHashed, stored.slice(WORDPRESS_PREFIX.length));
  },
};
