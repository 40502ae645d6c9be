import type { Db } from "../storage/db.js";
import { forUpdate } from "../storage/dialect.js";
import type { OauthStateRow, OauthTokensRow } from "../storage/tables.js";

export interface OauthState {
  stateHash: string;
  deploymentId: string;
  provider: string;
  browserBindingHash: string;
  codeVerifierSealed: string;
  nonce: string | null;
  redirectUrl: string;
  intent: "sign_in" | "link";
  linkUserId: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

const toOauthState = (row: OauthStateRow): OauthState => ({
  stateHash: row.state_hash,
  deploymentId: row.deployment_id,
  provider: row.provider,
  browserBindingHash: row.browser_binding_hash,
  codeVerifierSealed: row.code_verifier_sealed,
  nonce: row.nonce,
  redirectUrl: row.redirect_url,
  intent: row.intent === "link" ? "link" : "sign_in",
  linkUserId: row.link_user_id,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  usedAt: row.used_at === null ? null : Number(row.used_at),
});

/** Records a sign-in in flight, and forgets the deployment's states that ended long enough ago not to matter for replay answers. */
export async function insertOauthState(db: Db, row: OauthStateRow, forgetExpiredBeforeMs: number): Promise<void> {
  await db.insertInto("oauth_states").values(row).execute();
  await db.deleteFrom("oauth_states").where("deployment_id", "=", row.deployment_id).where("expires_at", "<", forgetExpiredBeforeMs).execute();
}

/**
 * Marks the state used and returns it — exactly once: of two callbacks racing with one state,
 * one update matches the row and the other matches nothing. Null when it is unknown or was
 * already used (findOauthState tells the two apart).
 */
export async function consumeOauthState(db: Db, deploymentId: string, stateHash: string, nowMs: number): Promise<OauthState | null> {
  const result = await db
    .updateTable("oauth_states")
    .set({ used_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("state_hash", "=", stateHash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return null;
  return findOauthState(db, deploymentId, stateHash);
}

export async function findOauthState(db: Db, deploymentId: string, stateHash: string): Promise<OauthState | null> {
  const row = await db.selectFrom("oauth_states").selectAll().where("deployment_id", "=", deploymentId).where("state_hash", "=", stateHash).executeTakeFirst();
  return row ? toOauthState(row) : null;
}

/** A connection's provider tokens, still sealed. */
export interface SealedOauthTokens {
  connectionId: string;
  accessTokenSealed: string;
  refreshTokenSealed: string | null;
  tokenType: string;
  scopes: string[];
  expiresAt: number | null;
  updatedAt: number;
}

const toSealedTokens = (row: OauthTokensRow): SealedOauthTokens => ({
  connectionId: row.connection_id,
  accessTokenSealed: row.access_token_sealed,
  refreshTokenSealed: row.refresh_token_sealed,
  tokenType: row.token_type,
  scopes: row.scopes.split(" ").filter(Boolean),
  expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  updatedAt: Number(row.updated_at),
});

const tokensOf = (db: Db, deploymentId: string, connectionId: string) =>
  db.selectFrom("oauth_tokens").selectAll().where("deployment_id", "=", deploymentId).where("connection_id", "=", connectionId);

export async function findOauthTokens(db: Db, deploymentId: string, connectionId: string): Promise<SealedOauthTokens | null> {
  const row = await tokensOf(db, deploymentId, connectionId).executeTakeFirst();
  return row ? toSealedTokens(row) : null;
}

/** The same, with the row locked until the caller's transaction ends (Postgres; SQLite has no row locks). */
export async function lockOauthTokens(trx: Db, deploymentId: string, connectionId: string): Promise<SealedOauthTokens | null> {
  const row = await forUpdate(trx, tokensOf(trx, deploymentId, connectionId)).executeTakeFirst();
  return row ? toSealedTokens(row) : null;
}

/** Stores the tokens of the connection's latest sign-in or refresh, replacing what was there. */
export async function upsertOauthTokens(db: Db, row: OauthTokensRow): Promise<void> {
  const { connection_id: _connectionId, ...columns } = row;
  await db
    .insertInto("oauth_tokens")
    .values(row)
    .onConflict((conflict) => conflict.column("connection_id").doUpdateSet(columns))
    .execute();
}
