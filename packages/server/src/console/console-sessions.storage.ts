import type { Db } from "../storage/db.js";

/** A console session as the service needs it to decide whether it may still be used. */
export interface ConsoleSessionForAuthentication {
  id: string;
  deploymentId: string;
  apiKeyId: string;
  secretHash: string;
  lastActiveAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** The session ends with its key: a revoked key's sessions are refused. */
  isApiKeyRevoked: boolean;
}

export interface NewConsoleSession {
  id: string;
  deploymentId: string;
  apiKeyId: string;
  secretHash: string;
  nowMs: number;
  expiresAt: number;
}

export async function insertConsoleSession(db: Db, session: NewConsoleSession): Promise<void> {
  await db
    .insertInto("console_sessions")
    .values({
      id: session.id,
      deployment_id: session.deploymentId,
      api_key_id: session.apiKeyId,
      secret_hash: session.secretHash,
      created_at: session.nowMs,
      last_active_at: session.nowMs,
      expires_at: session.expiresAt,
      revoked_at: null,
    })
    .execute();
}

/** The session by id (any deployment: the cookie names it before any deployment is known), or null. */
export async function findConsoleSession(db: Db, sessionId: string): Promise<ConsoleSessionForAuthentication | null> {
  const row = await db
    .selectFrom("console_sessions")
    .innerJoin("api_keys", "api_keys.id", "console_sessions.api_key_id")
    .select([
      "console_sessions.id",
      "console_sessions.deployment_id",
      "console_sessions.api_key_id",
      "console_sessions.secret_hash",
      "console_sessions.last_active_at",
      "console_sessions.expires_at",
      "console_sessions.revoked_at",
      "api_keys.revoked_at as key_revoked_at",
    ])
    .where("console_sessions.id", "=", sessionId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    deploymentId: row.deployment_id,
    apiKeyId: row.api_key_id,
    secretHash: row.secret_hash,
    lastActiveAt: row.last_active_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    isApiKeyRevoked: row.key_revoked_at !== null,
  };
}

/** Slides the idle expiry unless the session was ended meanwhile; returns whether it did. */
export async function extendConsoleSession(db: Db, deploymentId: string, sessionId: string, nowMs: number, expiresAt: number): Promise<boolean> {
  const result = await db
    .updateTable("console_sessions")
    .set({ last_active_at: nowMs, expires_at: expiresAt })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", sessionId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function revokeConsoleSession(db: Db, deploymentId: string, sessionId: string, nowMs: number): Promise<void> {
  await db
    .updateTable("console_sessions")
    .set({ revoked_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", sessionId)
    .where("revoked_at", "is", null)
    .execute();
}

export interface NewConsoleLoginToken {
  id: string;
  deploymentId: string;
  apiKeyId: string;
  secretHash: string;
  nowMs: number;
  expiresAt: number;
}

export async function insertConsoleLoginToken(db: Db, token: NewConsoleLoginToken): Promise<void> {
  await db
    .insertInto("console_login_tokens")
    .values({
      id: token.id,
      deployment_id: token.deploymentId,
      api_key_id: token.apiKeyId,
      secret_hash: token.secretHash,
      created_at: token.nowMs,
      expires_at: token.expiresAt,
      used_at: null,
    })
    .execute();
}

export interface ConsoleLoginToken {
  id: string;
  deploymentId: string;
  apiKeyId: string;
  secretHash: string;
  expiresAt: number;
  usedAt: number | null;
}

export async function findConsoleLoginToken(db: Db, tokenId: string): Promise<ConsoleLoginToken | null> {
  const row = await db.selectFrom("console_login_tokens").selectAll().where("id", "=", tokenId).executeTakeFirst();
  return row
    ? { id: row.id, deploymentId: row.deployment_id, apiKeyId: row.api_key_id, secretHash: row.secret_hash, expiresAt: row.expires_at, usedAt: row.used_at }
    : null;
}

/** Marks the token used unless it already was: of two redemptions racing, exactly one wins. */
export async function markConsoleLoginTokenUsed(db: Db, deploymentId: string, tokenId: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable("console_login_tokens")
    .set({ used_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", tokenId)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
