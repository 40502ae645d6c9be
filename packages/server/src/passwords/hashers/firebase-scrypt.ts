import { createCipheriv } from "node:crypto";
import { constantTimeEqual, decodeBase64, parseCount, type StoredHashFormat } from "./format.js";
import { checkScryptCost, deriveScryptKey } from "./scrypt.js";

/**
 * Firebase's modified scrypt, stored as Supabase stores it so a user can move Supabase → us
 * unchanged: `$fbscrypt$v=1,n=<mem_cost>,r=<rounds>,p=<p>,ss=<b64 separator>,sk=<b64 signer key>$<b64 salt>$<b64 hash>`.
 * key = scrypt(password, salt ‖ separator, N=2^mem_cost, r=rounds, p, 32 bytes); the hash is
 * the project's signer key encrypted with AES-256-CTR under that key and a zero IV.
 */
const FBSCRYPT_PATTERN = /^\$fbscrypt\$v=1,n=(\d+),r=(\d+),p=(\d+)(?:,ss=([^,$]*))?,sk=([^,$]+)\$([^$]+)\$([^$]+)$/;

export interface FirebaseScryptDigest {
  memCost: number;
  rounds: number;
  parallelism: number;
  saltSeparator: Buffer;
  signerKey: Buffer;
  salt: Buffer;
  hash: Buffer;
}

export function parseFirebaseScrypt(stored: string): FirebaseScryptDigest | string {
  const match = FBSCRYPT_PATTERN.exec(stored);
  if (!match) return "must be a Firebase scrypt digest: $fbscrypt$v=1,n=<mem_cost>,r=<rounds>,p=<p>,ss=<separator>,sk=<signer key>$<salt>$<hash>";
  const [, n, r, p, separator, signerKey, salt, hash] = match;
  const memCost = parseCount(n);
  const rounds = parseCount(r);
  const parallelism = parseCount(p);
  if (memCost === null || memCost < 1 || memCost > 31) return "must have a memory cost (n=) from 1 to 31";
  if (rounds === null || rounds < 1) return "must have at least 1 round (r=)";
  if (parallelism === null || parallelism < 1) return "must have a parallelism (p=) of at least 1";
  const decoded = {
    saltSeparator: separator ? decodeBase64(separator) : Buffer.alloc(0),
    signerKey: decodeBase64(signerKey!),
    salt: decodeBase64(salt!),
    hash: decodeBase64(hash!),
  };
  for (const [name, bytes] of Object.entries(decoded)) if (bytes === null) return `must have a base64 ${name}`;
  if (decoded.signerKey!.length !== decoded.hash!.length) return "must have a hash as long as its signer key";
  if (decoded.salt!.length === 0) return "must have a salt";
  return { memCost, rounds, parallelism, ...(decoded as { saltSeparator: Buffer; signerKey: Buffer; salt: Buffer; hash: Buffer }) };
}

/** The self-describing string for Firebase's parts, all base64 as Firebase exports them. */
export function formatFirebaseScrypt(parts: { memCost: number; rounds: number; saltSeparator: string; signerKey: string; salt: string; hash: string }): string {
  return `$fbscrypt$v=1,n=${parts.memCost},r=${parts.rounds},p=1,ss=${parts.saltSeparator},sk=${parts.signerKey}$${parts.salt}$${parts.hash}`;
}

export const firebaseScrypt: StoredHashFormat = {
  name: "scrypt_firebase",
  understands: (stored) => stored.startsWith("$fbscrypt$"),
  check(stored) {
    const parsed = parseFirebaseScrypt(stored);
    if (typeof parsed === "string") return parsed;
    return checkScryptCost({ N: 2 ** parsed.memCost, r: parsed.rounds, p: parsed.parallelism });
  },
  async verify(stored, password) {
    const parsed = parseFirebaseScrypt(stored);
    if (typeof parsed === "string") return false;
    const key = await deriveScryptKey(Buffer.from(password, "utf8"), Buffer.concat([parsed.salt, parsed.saltSeparator]), 32, {
      N: 2 ** parsed.memCost,
      r: parsed.rounds,
      p: parsed.parallelism,
    });
    const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
    const expected = Buffer.concat([cipher.update(parsed.signerKey), cipher.final()]);
    return constantTimeEqual(expected, parsed.hash);
  },
};
