import { NotFoundError, userNotFound } from "../errors.js";
import type { Db } from "../storage/db.js";
import { findUser } from "../users/users.storage.js";
import { findSession, listSessions, revokeSessions, type Session } from "./sessions.storage.js";

export type { Session };

export async function listUserSessions(db: Db, deploymentId: string, userId: string, includeExpired: boolean): Promise<Session[]> {
  if (!(await findUser(db, deploymentId, userId))) throw userNotFound(userId);
  return listSessions(db, deploymentId, userId, { includeExpired, nowMs: Date.now() });
}

/** Ends one session at once: it can no longer be used or refreshed. Revoking an ended session is a no-op. */
export async function revokeUserSession(db: Db, deploymentId: string, userId: string, sessionId: string): Promise<void> {
  if (!(await findUser(db, deploymentId, userId))) throw userNotFound(userId);
  const session = await findSession(db, deploymentId, sessionId);
  if (!session || session.userId !== userId) throw new NotFoundError(`User '${userId}' has no session '${sessionId}'.`, "session_not_found");
  await revokeSessions(db, deploymentId, userId, Date.now(), sessionId);
}

export async function revokeAllUserSessions(db: Db, deploymentId: string, userId: string): Promise<number> {
  if (!(await findUser(db, deploymentId, userId))) throw userNotFound(userId);
  return revokeSessions(db, deploymentId, userId, Date.now());
}
