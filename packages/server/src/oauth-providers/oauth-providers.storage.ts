import type { Db } from "../storage/db.js";
import type { OauthProviderRow, OauthSettingsRow } from "../storage/tables.js";

/** A configured provider as the rest of the code sees it: whether a secret is stored, never the secret. */
export interface OauthProvider {
  id: string;
  deploymentId: string;
  provider: string;
  clientId: string;
  issuer: string | null;
  scopes: string[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface OauthSettings {
  redirectUrls: string[];
  allowSignUp: boolean;
}

export const DEFAULT_OAUTH_SETTINGS: OauthSettings = { redirectUrls: [], allowSignUp: true };

// Every column but the sealed secret: only findSealedClientSecret reads it.
const publicColumns = ["id", "deployment_id", "provider", "client_id", "issuer", "scopes", "enabled", "created_at", "updated_at"] as const;

const toOauthProvider = (row: Omit<OauthProviderRow, "client_secret_sealed">): OauthProvider => ({
  id: row.id,
  deploymentId: row.deployment_id,
  provider: row.provider,
  clientId: row.client_id,
  issuer: row.issuer,
  scopes: row.scopes.split(" ").filter(Boolean),
  enabled: Boolean(row.enabled),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

export async function listOauthProviderRows(db: Db, deploymentId: string): Promise<OauthProvider[]> {
  const rows = await db.selectFrom("oauth_providers").select(publicColumns).where("deployment_id", "=", deploymentId).orderBy("provider").execute();
  return rows.map(toOauthProvider);
}

export async function findOauthProvider(db: Db, deploymentId: string, provider: string): Promise<OauthProvider | null> {
  const row = await db
    .selectFrom("oauth_providers")
    .select(publicColumns)
    .where("deployment_id", "=", deploymentId)
    .where("provider", "=", provider)
    .executeTakeFirst();
  return row ? toOauthProvider(row) : null;
}

/** The sealed client secret of a provider, for the sign-in flow only; null when there is no such provider. */
export async function findSealedClientSecret(db: Db, deploymentId: string, provider: string): Promise<{ id: string; sealed: string } | null> {
  const row = await db
    .selectFrom("oauth_providers")
    .select(["id", "client_secret_sealed"])
    .where("deployment_id", "=", deploymentId)
    .where("provider", "=", provider)
    .executeTakeFirst();
  return row ? { id: row.id, sealed: row.client_secret_sealed } : null;
}

export async function insertOauthProvider(db: Db, row: OauthProviderRow): Promise<void> {
  await db.insertInto("oauth_providers").values(row).execute();
}

/** Returns whether the provider existed. */
export async function updateOauthProviderRow(db: Db, deploymentId: string, provider: string, patch: Partial<OauthProviderRow>): Promise<boolean> {
  const result = await db
    .updateTable("oauth_providers")
    .set(patch)
    .where("deployment_id", "=", deploymentId)
    .where("provider", "=", provider)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteOauthProviderRow(db: Db, deploymentId: string, provider: string): Promise<boolean> {
  const result = await db.deleteFrom("oauth_providers").where("deployment_id", "=", deploymentId).where("provider", "=", provider).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findOauthSettings(db: Db, deploymentId: string): Promise<OauthSettings> {
  const row = await db.selectFrom("oauth_settings").selectAll().where("deployment_id", "=", deploymentId).executeTakeFirst();
  if (!row) return { ...DEFAULT_OAUTH_SETTINGS, redirectUrls: [] };
  return { redirectUrls: JSON.parse(row.redirect_urls) as string[], allowSignUp: Boolean(row.allow_sign_up) };
}

/** Writes the whole settings row (the service merges a change into the current values first). */
export async function upsertOauthSettings(db: Db, deploymentId: string, settings: OauthSettings, nowMs: number): Promise<void> {
  const row: OauthSettingsRow = {
    deployment_id: deploymentId,
    redirect_urls: JSON.stringify(settings.redirectUrls),
    allow_sign_up: settings.allowSignUp,
    updated_at: nowMs,
  };
  await db
    .insertInto("oauth_settings")
    .values(row)
    .onConflict((conflict) =>
      conflict.column("deployment_id").doUpdateSet({ redirect_urls: row.redirect_urls, allow_sign_up: row.allow_sign_up, updated_at: nowMs }),
    )
    .execute();
}
