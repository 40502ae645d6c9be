import { constantTimeEqual, type StoredHashFormat } from "./format.js";
import { checkScryptCost, deriveScryptKey } from "./scrypt.js";

/**
 * Better Auth's scrypt, which it stores as bare `<hex salt>:<hex key>`; we add a tag so the
 * string names its format: `$ba-scrypt$<hex salt>:<hex key>`. Better Auth passes the salt to
 * scrypt as its hex *text* (not the decoded bytes) and normalises the password to NFKC; its
 * parameters are fixed (N=16384, r=16, p=1, 64-byte key), so the string does not carry them.
 */
export const BETTER_AUTH_SCRYPT = { N: 16384, r: 16, p: 1 } as const;
export const BETTER_AUTH_PREFIX = "$ba-scrypt$";

const KEY_LENGTH = 64;
const BARE_PATTERN = /^([0-9a-fA-F]{16,128}):([0-9a-fA-F]{128})$/;

/** Whether a digest has Better Auth's bare shape (`hexsalt:hexkey`). */
export function isBareBetterAuthDigest(digest: string): boolean {
  return BARE_PATTERN.test(digest);
}

export const betterAuthScrypt: StoredHashFormat = {
  name: "scrypt_better_auth",
  understands: (stored) => stored.startsWith(BETTER_AUTH_PREFIX),
  check(stored) {
    if (!isBareBetterAuthDigest(stored.slice(BETTER_AUTH_PREFIX.length))) {
      return "must be a Better Auth scrypt digest: <hex salt>:<128 hex digits of key>";
    }
    return checkScryptCost(BETTER_AUTH_SCRYPT);
  },
  async verify(stored, password) {
    const match = BARE_PATTERN.exec(stored.slice(BETTER_AUTH_PREFIX.length));
    if (!match) return false;
    const [, saltText, keyHex] = match;
    const key = await deriveScryptKey(password.normalize("NFKC"), saltText!, KEY_LENGTH, BETTER_AUTH_SCRYPT);
    return constantTimeEqual(key, Buffer.from(keyHex!, "hex"));
  },
};
