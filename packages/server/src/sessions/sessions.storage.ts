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
  signInMethod: SignInMethod;
}

/** How a session's user proved who they are. */
/** How a session was opened; OAuth sign-ins are `oauth_<provider>` (e.g. oauth_google). */
export type SignInMethod = "password" | "password+totp" | "password+backup_code" | "passkey" | `oauth_${string}`;

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
  "sign_in_method",
] as const;

const toSession = (row: Omit<SessionRow, "secret_hash">): Session => ({
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
  signInMethod: row.sign_in_method as SignInMethod,
});

/** A session about to be opened: everything but the times, which all start at `nowMs`. */
export interface NewSession {
  id: string;
  userId: string;
  secretHash: string;
  nowMs: number;
  expiresAt: number;
  ipAddress: string | null;
  userAgent: string | null;
  browser: string | null;
  device: string | null;
  /** Only for a session recorded as already ended (test fixtures); sign-in opens active ones. */
  revokedAt?: number | null;
  /** How the user signed in; "password" when not said. */
  signInMethod?: SignInMethod;
}

export async function insertSession(db: Db, deploymentId: string, session: NewSession): Promise<Session> {
  const row = {
    id: session.id,
    deployment_id: deploymentId,
    user_id: session.userId,
    created_at: session.nowMs,
    updated_at: session.nowMs,
    last_active_at: session.nowMs,
    expires_at: session.expiresAt,
    revoked_at: session.revokedAt ?? null,
    ip_address: session.ipAddress,
    user_agent: session.userAgent,
    browser: session.browser,
    device: session.device,
    sign_in_method: session.signInMethod ?? "password",
  };
  await db
    .insertInto("sessions")
    .values({ ...row, secret_hash: session.secretHash })
    .execute();
  return toSession(row);
}

/** Sessions of a user, newest first; without `includeExpired`, only those that can still be used. */
export async function listSessions(db: Db, deploymentId: string, userId: string, options: { includeExpired: boolean; nowMs: number }): Promise<Session[]> {
  let query = db.selectFrom("sessions").select(sessionColumns).where("deployment_id", "=", deploymentId).where("user_id", "=", userId);
  if (!options.includeExpired) query = query.where("revoked_at", "is", null).where("expires_at", ">", options.nowMs);
  const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").execute();
  return rows.map(toSession);
}

export async function findSession(db: Db, deploymentId: string, sessionId: string): Promise<Session | null> {
  const row = await db.selectFrom("sessions").select(sessionColumns).where("deployment_id", "=", deploymentId).where("id", "=", sessionId).executeTakeFirst();
  return row ? toSession(row) : null;
}

/** A session with what deciding whether it may still be used needs; never leaves the sessions domain. */
export interface SessionForAuthentication extends Session {
  secretHash: string;
  isUserDisabled: boolean;
}

/** The session (of any state) with its secret's hash, for the caller to compare in constant time; null when unknown. */
export async function findSessionForAuthentication(db: Db, deploymentId: string, sessionId: string): Promise<SessionForAuthentication | null> {
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(sessionColumns.map((column) => `sessions.${column}` as const))
    .select(["sessions.secret_hash", "users.disabled"])
    .where("sessions.deployment_id", "=", deploymentId)
    .where("sessions.id", "=", sessionId)
    .executeTakeFirst();
  if (!row) return null;
  return { ...toSession(row), secretHash: row.secret_hash, isUserDisabled: Boolean(row.disabled) };
}

/** Records activity and slides the expiry, unless the session was revoked meanwhile; returns whether it did. */
export async function extendSession(db: Db, deploymentId: string, sessionId: string, nowMs: number, expiresAtMs: number): Promise<boolean> {
  const result = await db
    .updateTable("sessions")
    .set({ last_active_at: nowMs, expires_at: expiresAtMs, updated_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", sessionId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
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

/** Whether the user has (or had) a session opened from this address. */
export async function hasSessionFromAddress(db: Db, deploymentId: string, userId: string, ipAddress: string): Promise<boolean> {
  const row = await db
    .selectFrom("sessions")
    .select("id")
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .where("ip_address", "=", ipAddress)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
