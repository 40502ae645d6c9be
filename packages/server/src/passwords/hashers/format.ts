import { timingSafeEqual } from "node:crypto";

/**
 * One stored-hash format we can verify: ours (argon2id) or one a user brought from another
 * provider. A stored string names its own format by its prefix, so one dispatcher can pick the
 * format without any other column. `check` is cheap (parsing only) and runs both when a digest
 * is imported and before each verification, so a digest over the cost caps is never computed.
 */
export interface StoredHashFormat {
  readonly name: string;
  /** True when `stored` starts the way this format's strings do (it may still be malformed). */
  understands(stored: string): boolean;
  /** Why `stored` cannot be stored or verified (a rule a 400 can quote), or null when it can. */
  check(stored: string): string | null;
  /** Whether `password` matches; only called on strings `check` accepted. Never blocks the event loop for long. */
  verify(stored: string, password: string): Promise<boolean>;
}

/** Compares two byte strings without leaking, through timing, how much of a guess was right. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Lengths are public (they follow from the format), so returning early on them leaks nothing.
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The bytes of standard base64 (padding optional), or null for anything else: Buffer.from would silently skip bad characters. */
export function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const unpadded = text.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) return null;
  const bytes = Buffer.from(unpadded, "base64");
  // Stray bits in the last character would let two strings mean the same bytes; refuse them.
  return bytes.toString("base64").replace(/=+$/, "") === unpadded ? bytes : null;
}

/** Base64 without padding, as PHC strings write salts and hashes. */
export function encodeBase64Unpadded(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64").replace(/=+$/, "");
}

/** A decimal count without leading zeros or a sign, or null. */
export function parseCount(text: string | undefined): number | null {
  if (text === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(text)) return null;
  return Number(text);
}
