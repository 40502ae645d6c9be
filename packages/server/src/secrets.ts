import { hash, timingSafeEqual } from "node:crypto";

/**
 * API keys and session secrets are long random strings, so a fast hash is enough to make a
 * stolen database useless; passwords are different and go through passwords/hasher.ts.
 */
export function sha256Hex(value: string): string {
  // The one-shot hash: a third of createHash().update().digest()'s time, and every request hashes its key.
  return hash("sha256", value, "hex");
}

/** Prevents timing attacks on secret comparison: the time taken does not depend on where bytes differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
