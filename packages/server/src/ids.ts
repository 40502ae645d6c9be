import { randomBytes } from "node:crypto";

// Crockford base32, lower case: ids sort by creation time as plain strings, in SQL and in JS.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

export type IdPrefix =
  | "usr"
  | "eml"
  | "phn"
  | "sca"
  | "ses"
  | "dep"
  | "key"
  | "img"
  | "sig"
  | "sif"
  | "csn"
  | "clt"
  | "wha"
  | "whe"
  | "evt"
  | "whd"
  | "wht"
  | "whr"
  | "aud"
  | "tot"
  | "bkc"
  | "pky"
  | "wac"
  | "oap";

/** A prefixed, time-ordered id: 10 characters of milliseconds, then 16 of randomness (80 bits). */
export function generateId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  let time = "";
  let ms = nowMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[ms % 32] + time;
    ms = Math.floor(ms / 32);
  }
  return `${prefix}_${time}${base32Of(randomBytesFromPool(16))}`;
}

// Ids' random bytes drawn 4 KiB at a time and each handed out once: one randomBytes() call per id
// was 6% of an import's CPU (bench/README.md). Still the CSPRNG's bytes, never reused; secrets
// (randomBase32) keep drawing their own.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomBytesFromPool(length: number): Buffer {
  if (length > POOL_BYTES) return randomBytes(length);
  if (poolOffset + length > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + length);
  poolOffset += length;
  return bytes;
}

export function randomBase32(length: number): string {
  return base32Of(randomBytes(length));
}

function base32Of(bytes: Buffer): string {
  let out = "";
  // 256 is a multiple of 32, so taking the low 5 bits keeps every character equally likely.
  for (const byte of bytes) out += ALPHABET[byte & 31];
  return out;
}
