import { recordChange, recordEvents, type ChangeContext } from "../changes/changes.service.js";
import { toSigninJson } from "./sessions.schemas.js";
import { errors } from "../errors.js";
import type { Db } from "../storage/db.js";
import { requireUser } from "../users/users.service.js";
import { createSessionCredential, parseSessionCredential, secretMatches } from "./session-credentials.js";
import {
  extendSession,
  findSession,
  findSessionForAuthentication,
  hasSessionFromAddress,
  insertSession,
  listSessions,
  revokeSessions,
  type Session,
  type SignInMethod,
} from "./sessions.storage.js";
import { describeUserAgent } from "./user-agent.js";

export type { Session, SignInMethod };

/**
 * Activity is recorded, and the sliding expiry moved, at most once per this interval, so that
 * minting a token every minute is a read, not a write.
 */
export const SESSION_ACTIVITY_RESOLUTION_MS = 60 * 60 * 1000;

const MAX_USER_AGENT_LENGTH = 512;

export async function listUserSessions(db: Db, deploymentId: string, userId: string, includeExpired: boolean): Promise<Session[]> {
  await requireUser(db, deploymentId, userId);
  return listSessions(db, deploymentId, userId, { includeExpired, nowMs: Date.now() });
}

/** Ends one session at once: it can no longer be used or refreshed. Revoking an ended session is a no-op. */
export async function revokeUserSession(db: Db, deploymentId: string, context: ChangeContext, userId: string, sessionId: string): Promise<void> {
  await requireUser(db, deploymentId, userId);
  const session = await findSession(db, deploymentId, sessionId);
  if (!session || session.userId !== userId) throw errors.session_not_found(userId, sessionId);
  await db.transaction().execute(async (trx) => {
    await revokeWithEvents(trx, deploymentId, userId, Date.now(), sessionId);
    await recordChange(trx, deploymentId, context, { action: "session.revoke", target: { type: "session", id: sessionId }, userId, changes: ["revoked_at"] });
  });
}

export async function revokeAllUserSessions(db: Db, deploymentId: string, context: ChangeContext, userId: string): Promise<number> {
  await requireUser(db, deploymentId, userId);
  return db.transaction().execute(async (trx) => {
    const revoked = await revokeWithEvents(trx, deploymentId, userId, Date.now());
    await recordChange(trx, deploymentId, context, { action: "session.revoke_all", target: { type: "user", id: userId } });
    return revoked;
  });
}

/** Inside the caller's transaction (a password change, disabling a user): ends every active session of the user; returns how many. */
export async function revokeSessionsOfUser(db: Db, deploymentId: string, userId: string, nowMs: number): Promise<number> {
  return revokeWithEvents(db, deploymentId, userId, nowMs);
}

/** Revokes the user's active sessions (or the one given) with a session.revoked event for each, in the caller's transaction. */
async function revokeWithEvents(trx: Db, deploymentId: string, userId: string, nowMs: number, sessionId?: string): Promise<number> {
  const active = (await listSessions(trx, deploymentId, userId, { includeExpired: false, nowMs })).filter(
    (session) => sessionId === undefined || session.id === sessionId,
  );
  const revoked = await revokeSessions(trx, deploymentId, userId, nowMs, sessionId);
  if (active.length > 0) {
    await recordEvents(
      trx,
      deploymentId,
      active.map((session) => ({ type: "session.revoked", data: toSigninJson({ ...session, revokedAt: nowMs, updatedAt: nowMs }) })),
    );
  }
  return revoked;
}

/** Where a sign-in came from, as the session list shows it. */
export interface SessionOrigin {
  ipAddress: string | null;
  userAgent: string | null;
}

export interface SessionTiming {
  nowMs: number;
  lifetimeSeconds: number;
}

/** Opens a session (inside the caller's sign-in transaction); the credential is returned once and stored only as a hash. */
export async function startSession(
  db: Db,
  deploymentId: string,
  userId: string,
  origin: SessionOrigin,
  timing: SessionTiming,
  signInMethod: SignInMethod = "password",
): Promise<{ session: Session; credential: string }> {
  const { sessionId, credential, secretHash } = createSessionCredential(timing.nowMs);
  const userAgent = origin.userAgent ? origin.userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null;
  const { browser, device } = describeUserAgent(userAgent);
  const session = await insertSession(db, deploymentId, {
    id: sessionId,
    userId,
    secretHash,
    nowMs: timing.nowMs,
    expiresAt: timing.nowMs + timing.lifetimeSeconds * 1000,
    ipAddress: origin.ipAddress,
    userAgent,
    browser,
    device,
    signInMethod,
  });
  // An end user signing in, not an admin action: an event, no audit entry.
  await recordEvents(db, deploymentId, [{ type: "session.created", data: toSigninJson(session) }]);
  return { session, credential };
}

export interface AuthenticatedSession {
  session: Session;
  /** True when this use moved the expiry: a cookie carrying the credential should be re-set. */
  wasExtended: boolean;
}

/**
 * The session a presented credential proves, if it may still be used: known, secret matching,
 * not revoked, not expired, its user not disabled. Null otherwise — an expected answer, not an error.
 */
export async function authenticateSession(db: Db, deploymentId: string, credential: string, timing: SessionTiming): Promise<AuthenticatedSession | null> {
  const parts = parseSessionCredential(credential);
  if (!parts) return null;
  const found = await findSessionForAuthentication(db, deploymentId, parts.sessionId);
  if (!found || !secretMatches(parts.secret, found.secretHash)) return null;
  if (found.revokedAt !== null || found.expiresAt <= timing.nowMs || found.isUserDisabled) return null;
  const { secretHash: _secretHash, isUserDisabled: _isUserDisabled, ...session } = found;
  if (timing.nowMs - session.lastActiveAt < SESSION_ACTIVITY_RESOLUTION_MS) return { session, wasExtended: false };
  const expiresAt = timing.nowMs + timing.lifetimeSeconds * 1000;
  // A revoke that landed since the read wins: the update matches no row and the session is refused.
  if (!(await extendSession(db, deploymentId, session.id, timing.nowMs, expiresAt))) return null;
  return { session: { ...session, lastActiveAt: timing.nowMs, updatedAt: timing.nowMs, expiresAt }, wasExtended: true };
}

/** Signs out: ends the session the credential proves. Returns false when it proves none (already ended, or not ours). */
export async function endSession(db: Db, deploymentId: string, credential: string): Promise<boolean> {
  const parts = parseSessionCredential(credential);
  if (!parts) return false;
  const found = await findSessionForAuthentication(db, deploymentId, parts.sessionId);
  if (!found || !secretMatches(parts.secret, found.secretHash)) return false;
  return db.transaction().execute(async (trx) => (await revokeWithEvents(trx, deploymentId, found.userId, Date.now(), found.id)) > 0);
}

/** Whether the user ever signed in from this address: a known device keeps working while the account is locked against strangers. */
export async function hasSignedInFrom(db: Db, deploymentId: string, userId: string, ipAddress: string | null): Promise<boolean> {
  return ipAddress !== null && hasSessionFromAddress(db, deploymentId, userId, ipAddress);
}
