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
  return `${prefix}_${time}${randomBase32(16)}`;
}

export function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  // 256 is a multiple of 32, so taking the low 5 bits keeps every character equally likely.
  for (const byte of bytes) out += ALPHABET[byte & 31];
  return out;
}
