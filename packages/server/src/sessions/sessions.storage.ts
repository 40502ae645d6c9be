import type { Db } from "../storage/db.js";
import type { SessionRow } from "../storage/tables.js";

/** A session as an admin may see it: never the secret's hash. */
export interface Session {
  id: string;
  deploymentId: string;
  userId: string;
  createdAt: number;
  updatedAt: number;
  lastActiveAt: number;
  expiresAt: number;
  revokedAt: number | null;
  ipAddress: string | null;
  userAgent: string | null;
  browser: string | null;
  device: string | null;
}

const sessionColumns = [
  "id",
  "deployment_id",
  "user_id",
  "created_at",
  "updated_at",
  "last_active_at",
  "expires_at",
  "revoked_at",
  "ip_address",
  "user_agent",
  "browser",
  "device",
] as const;

export const toSession = (row: Omit<SessionRow, "secret_hash">): Session => ({
  id: row.id,
  deploymentId: row.deployment_id,
  userId: row.user_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  lastActiveAt: row.last_active_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  ipAddress: row.ip_address,
  userAgent: row.user_agent,
  browser: row.browser,
  device: row.device,
});

export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await db.insertInto("sessions").values(row).execute();
}

/** Sessions of a user, newest first; without `includeExpired`, only those that can still be used. */
export async function listSessions(db: Db, deploymentId: string, userId: string, options: { includeExpired: boolean; nowMs: number }): Promise<Session[]> {
  let query = db
    .selectFrom("sessions")
    .select(sessionColumns)
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId);
  if (!options.includeExpired) query = query.where("revoked_at", "is", null).where("expires_at", ">", options.nowMs);
  const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").execute();
  return rows.map(toSession);
}

export async function findSession(db: Db, deploymentId: string, sessionId: string): Promise<Session | null> {
  const row = await db.selectFrom("sessions").select(sessionColumns).where("deployment_id", "=", deploymentId).where("id", "=", sessionId).executeTakeFirst();
  return row ? toSession(row) : null;
}

/** The stored hash of a session's secret, for the caller to compare in constant time. */
export async function findSessionSecretHash(db: Db, sessionId: string) {
  return db.selectFrom("sessions").select([...sessionColumns, "secret_hash"]).where("id", "=", sessionId).executeTakeFirst();
}

export async function updateSessionRow(db: Db, sessionId: string, patch: Partial<SessionRow>): Promise<void> {
  await db.updateTable("sessions").set(patch).where("id", "=", sessionId).execute();
}

/** Revokes the user's sessions that are still active (or just the one given); returns how many. */
export async function revokeSessions(db: Db, deploymentId: string, userId: string, nowMs: number, sessionId?: string): Promise<number> {
  let query = db
    .updateTable("sessions")
    .set({ revoked_at: nowMs, updated_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", nowMs);
  if (sessionId) query = query.where("id", "=", sessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
