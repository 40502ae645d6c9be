import { hash } from "node:crypto";
import { constantTimeEqual, type StoredHashFormat } from "./format.js";

/**
 * phpass portable hashes (WordPress `$P$`, phpBB `$H$`): `$P$` + one character giving log2 of
 * the count + 8 salt characters + 22 characters of iterated MD5. MD5 has no async form in
 * node:crypto, so the loop runs on the event loop in slices, yielding between them; the cap keeps
 * the whole at a few tens of milliseconds (WordPress uses 2^13).
 */
export const MAX_IMPORTED_PHPASS_LOG2_COUNT = 16;

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PHPASS_PATTERN = /^\$[PH]\$[./0-9A-Za-z]{31}$/;
const MIN_LOG2_COUNT = 7; // phpass itself refuses fewer
const ITERATIONS_PER_SLICE = 2048;

function log2CountOf(stored: string): number {
  return ITOA64.indexOf(stored[3]!);
}

/** phpass's own base64 variant: little-endian groups of 3 bytes, least significant 6 bits first. */
function encodePhpass64(bytes: Buffer): string {
  let output = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const value = bytes[i]! | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16);
    const characters = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < characters; c++) output += ITOA64[(value >> (6 * c)) & 0x3f];
  }
  return output;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export const phpass: StoredHashFormat = {
  name: "phpass",
  understands: (stored) => stored.startsWith("$P$") || stored.startsWith("$H$"),
  check(stored) {
    if (!PHPASS_PATTERN.test(stored)) return "must be a phpass digest: $P$ or $H$ followed by 31 characters";
    const log2Count = log2CountOf(stored);
    if (log2Count < MIN_LOG2_COUNT) return `must have a count of at least 2^${MIN_LOG2_COUNT}`;
    if (log2Count > MAX_IMPORTED_PHPASS_LOG2_COUNT)
      return `must have a count of at most 2^${MAX_IMPORTED_PHPASS_LOG2_COUNT} (the character after $P$ at most '${ITOA64[MAX_IMPORTED_PHPASS_LOG2_COUNT]}')`;
    return null;
  },
  async verify(stored, password) {
    const passwordBytes = Buffer.from(password, "utf8");
    let digest = hash("md5", Buffer.concat([Buffer.from(stored.slice(4, 12), "latin1"), passwordBytes]), "buffer");
    const block = Buffer.concat([digest, passwordBytes]);
    for (let remaining = 2 ** log2CountOf(stored); remaining > 0; remaining--) {
      digest.copy(block, 0);
      digest = hash("md5", block, "buffer");
      if (remaining % ITERATIONS_PER_SLICE === 0) await yieldToEventLoop();
    }
    const expected = Buffer.from(stored.slice(0, 12) + encodePhpass64(digest), "latin1");
    return constantTimeEqual(expected, Buffer.from(stored, "latin1"));
  },
};
