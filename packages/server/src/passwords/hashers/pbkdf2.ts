import { pbkdf2 } from "node:crypto";
import { constantTimeEqual, decodeBase64, encodeBase64Unpadded, parseCount, type StoredHashFormat } from "./format.js";

/**
 * PBKDF2-HMAC-SHA256/SHA512 in PHC form, as Auth0 writes it: `$pbkdf2-sha256$i=<iterations>,l=<key
 * bytes>$<b64 salt>$<b64 hash>` (base64 unpadded). Django's and Clerk's shapes are converted to
 * this at import. crypto.pbkdf2 runs on libuv's thread pool.
 */
export const PBKDF2_DIGESTS = { sha256: 32, sha512: 64 } as const; // digest → output bytes per block
export type Pbkdf2Digest = keyof typeof PBKDF2_DIGESTS;

/**
 * Django 6.0 uses 1,200,000 iterations; a key longer than the digest costs that many again per
 * extra block (Auth0's default is a 64-byte key over SHA-256), so the cap counts blocks too.
 */
export const MAX_IMPORTED_PBKDF2_ITERATIONS = 1_300_000;

const PHC_PATTERN = /^\$pbkdf2-(sha256|sha512)\$i=(\d+),l=(\d+)\$([^$]+)\$([^$]+)$/;

export interface Pbkdf2Parts {
  digest: Pbkdf2Digest;
  iterations: number;
  salt: Buffer;
  hash: Buffer;
}

export function formatPbkdf2(parts: Pbkdf2Parts): string {
  return `$pbkdf2-${parts.digest}$i=${parts.iterations},l=${parts.hash.length}$${encodeBase64Unpadded(parts.salt)}$${encodeBase64Unpadded(parts.hash)}`;
}

export function parsePbkdf2(stored: string): Pbkdf2Parts | string {
  const match = PHC_PATTERN.exec(stored);
  if (!match) return "must be a PBKDF2 digest in PHC form: $pbkdf2-sha256$i=<iterations>,l=<key length>$<b64 salt>$<b64 hash>";
  const [, digest, i, l, salt, hash] = match;
  const iterations = parseCount(i);
  const keyLength = parseCount(l);
  const saltBytes = decodeBase64(salt!);
  const hashBytes = decodeBase64(hash!);
  if (iterations === null || iterations < 1) return "must have at least 1 iteration (i=)";
  if (saltBytes === null || hashBytes === null) return "must have a base64 salt and hash";
  if (hashBytes.length < 16 || hashBytes.length !== keyLength) return "must have a hash of at least 16 bytes, as long as its key length (l=)";
  return { digest: digest as Pbkdf2Digest, iterations, salt: saltBytes, hash: hashBytes };
}

export const pbkdf2Phc: StoredHashFormat = {
  name: "pbkdf2",
  understands: (stored) => stored.startsWith("$pbkdf2-"),
  check(stored) {
    const parts = parsePbkdf2(stored);
    if (typeof parts === "string") return parts;
    const blocks = Math.ceil(parts.hash.length / PBKDF2_DIGESTS[parts.digest]);
    if (parts.iterations * blocks > MAX_IMPORTED_PBKDF2_ITERATIONS) {
      return `must have at most ${MAX_IMPORTED_PBKDF2_ITERATIONS} iterations (i=, times each block of ${PBKDF2_DIGESTS[parts.digest]} bytes of key)`;
    }
    return null;
  },
  async verify(stored, password) {
    const parts = parsePbkdf2(stored);
    if (typeof parts === "string") return false;
    const key = await new Promise<Buffer>((resolve, reject) =>
      pbkdf2(Buffer.from(password, "utf8"), parts.salt, parts.iterations, parts.hash.length, parts.digest, (error, derived) =>
        error ? reject(error) : resolve(derived),
      ),
    );
    return constantTimeEqual(key, parts.hash);
  },
};
