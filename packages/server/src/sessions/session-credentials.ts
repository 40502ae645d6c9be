import { generateId, randomBase32 } from "../ids.js";
import { constantTimeEqual, sha256Hex } from "../secrets.js";

/**
 * A session credential is `<session id>.<secret>`: the id finds the row, the secret proves
 * possession. Only the secret's SHA-256 is stored; 160 random bits need no slow hash.
 */
export interface NewSessionCredential {
  sessionId: string;
  credential: string;
  secretHash: string;
}

export function createSessionCredential(nowMs: number): NewSessionCredential {
  const sessionId = generateId("ses", nowMs);
  const secret = randomBase32(32);
  return { sessionId, credential: `${sessionId}.${secret}`, secretHash: sha256Hex(secret) };
}

/** The parts of a presented credential, or null when it cannot be one of ours. */
export function parseSessionCredential(credential: string): { sessionId: string; secret: string } | null {
  if (credential.length > 128) return null;
  const match = /^(ses_[0-9a-z]{26})\.([0-9a-z]{32})$/.exec(credential);
  return match ? { sessionId: match[1]!, secret: match[2]! } : null;
}

/** Constant time, so the answer's timing does not tell how much of a guessed secret was right. */
export function secretMatches(secret: string, storedHash: string): boolean {
  return constantTimeEqual(sha256Hex(secret), storedHash);
}
