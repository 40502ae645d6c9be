import { authenticateApiKey } from "../api-keys/api-keys.service.js";
import { generateId, randomBase32 } from "../ids.js";
import { constantTimeEqual, sha256Hex } from "../secrets.js";
import type { Db } from "../storage/db.js";
import {
  extendConsoleSession,
  findConsoleLoginToken,
  findConsoleSession,
  insertConsoleLoginToken,
  insertConsoleSession,
  markConsoleLoginTokenUsed,
  revokeConsoleSession,
} from "./console-sessions.storage.js";

/**
 * The admin console signs in with an API key (pasted once) or a one-time link, and from then on
 * carries an HttpOnly cookie instead: the key never sits in browser storage. A console session
 * belongs to the key it was opened with, so it answers exactly what that key may do and ends the
 * moment the key is revoked. Credentials are `<id>.<secret>`, stored as the secret's SHA-256.
 */

/** How long a one-time link printed by `wacht console-link` stays redeemable. */
export const CONSOLE_LINK_LIFETIME_MS = 15 * 60 * 1000;

/** The idle expiry moves at most this often, so that browsing is reads, not writes. */
const ACTIVITY_RESOLUTION_MS = 60 * 1000;

export interface ConsoleSessionTiming {
  nowMs: number;
  idleSeconds: number;
}

export interface OpenedConsoleSession {
  credential: string;
  deploymentId: string;
  apiKeyId: string;
  expiresAt: number;
}

export interface AuthenticatedConsoleSession {
  sessionId: string;
  deploymentId: string;
  apiKeyId: string;
  /** The token state-changing requests must echo in `x-wacht-csrf`. */
  csrfToken: string;
  expiresAt: number;
  /** True when this use moved the expiry: the cookie should be re-set with the new lifetime. */
  wasExtended: boolean;
}

function parseCredential(credential: string, prefix: "csn" | "clt"): { id: string; secret: string } | null {
  if (credential.length > 128) return null;
  const match = new RegExp(`^(${prefix}_[0-9a-z]{26})\\.([0-9a-z]{32})$`).exec(credential);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

/**
 * Double-submit token bound to the session: derived from the session's secret, so it needs no
 * storage, yet cannot be computed by a page that only knows the session id. The cookie itself is
 * SameSite=Strict; the token and the Origin check are the second and third walls.
 */
export function csrfTokenOf(secret: string): string {
  return sha256Hex(`console-csrf:${secret}`);
}

async function openSession(db: Db, deploymentId: string, apiKeyId: string, timing: ConsoleSessionTiming): Promise<OpenedConsoleSession> {
  const id = generateId("csn", timing.nowMs);
  const secret = randomBase32(32);
  const expiresAt = timing.nowMs + timing.idleSeconds * 1000;
  await insertConsoleSession(db, { id, deploymentId, apiKeyId, secretHash: sha256Hex(secret), nowMs: timing.nowMs, expiresAt });
  return { credential: `${id}.${secret}`, deploymentId, apiKeyId, expiresAt };
}

/** Opens a console session with a pasted API key; null when the key is unknown or revoked. */
export async function openConsoleSessionWithApiKey(db: Db, apiKey: string, timing: ConsoleSessionTiming): Promise<OpenedConsoleSession | null> {
  const key = await authenticateApiKey(db, apiKey);
  return key ? openSession(db, key.deploymentId, key.keyId, timing) : null;
}

/** A one-time sign-in link's token for a key of the deployment; shown once, stored hashed. */
export async function createConsoleLoginToken(db: Db, deploymentId: string, apiKeyId: string, nowMs: number): Promise<{ token: string; expiresAt: number }> {
  const id = generateId("clt", nowMs);
  const secret = randomBase32(32);
  const expiresAt = nowMs + CONSOLE_LINK_LIFETIME_MS;
  await insertConsoleLoginToken(db, { id, deploymentId, apiKeyId, secretHash: sha256Hex(secret), nowMs, expiresAt });
  return { token: `${id}.${secret}`, expiresAt };
}

/** Redeems a one-time link into a session; null when the token is unknown, expired, used, or its key revoked. */
export async function redeemConsoleLoginToken(db: Db, token: string, timing: ConsoleSessionTiming): Promise<OpenedConsoleSession | null> {
  const parts = parseCredential(token, "clt");
  if (!parts) return null;
  const found = await findConsoleLoginToken(db, parts.id);
  if (!found || !constantTimeEqual(sha256Hex(parts.secret), found.secretHash)) return null;
  if (found.usedAt !== null || found.expiresAt <= timing.nowMs) return null;
  return db.transaction().execute(async (trx) => {
    if (!(await markConsoleLoginTokenUsed(trx, found.deploymentId, found.id, timing.nowMs))) return null;
    return openSession(trx, found.deploymentId, found.apiKeyId, timing);
  });
}

/** The session a console cookie proves, if it may still be used; null otherwise (an expected answer). */
export async function authenticateConsoleSession(db: Db, credential: string, timing: ConsoleSessionTiming): Promise<AuthenticatedConsoleSession | null> {
  const parts = parseCredential(credential, "csn");
  if (!parts) return null;
  const found = await findConsoleSession(db, parts.id);
  if (!found || !constantTimeEqual(sha256Hex(parts.secret), found.secretHash)) return null;
  if (found.revokedAt !== null || found.isApiKeyRevoked || found.expiresAt <= timing.nowMs) return null;
  const session = { sessionId: found.id, deploymentId: found.deploymentId, apiKeyId: found.apiKeyId, csrfToken: csrfTokenOf(parts.secret) };
  if (timing.nowMs - found.lastActiveAt < ACTIVITY_RESOLUTION_MS) return { ...session, expiresAt: found.expiresAt, wasExtended: false };
  const expiresAt = timing.nowMs + timing.idleSeconds * 1000;
  if (!(await extendConsoleSession(db, found.deploymentId, found.id, timing.nowMs, expiresAt))) return null;
  return { ...session, expiresAt, wasExtended: true };
}

/** Signs the console out at once. */
export async function endConsoleSession(db: Db, deploymentId: string, sessionId: string, nowMs: number): Promise<void> {
  await revokeConsoleSession(db, deploymentId, sessionId, nowMs);
}
