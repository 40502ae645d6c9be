import type { Db } from "../storage/db.js";
import type { ApiKeyRow } from "../storage/tables.js";

/** An API key as anyone may see it: never the secret or its hash. */
export interface ApiKey {
  id: string;
  deploymentId: string;
  name: string;
  displayPrefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

const toApiKey = (row: Omit<ApiKeyRow, "lookup_hash" | "secret_hash">): ApiKey => ({
  id: row.id,
  deploymentId: row.deployment_id,
  name: row.name,
  displayPrefix: row.display_prefix,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

const publicColumns = ["id", "deployment_id", "name", "display_prefix", "created_at", "last_used_at", "revoked_at"] as const;

/** A key about to be stored: its public description and the hashes it is found and compared by. */
export interface NewApiKey {
  id: string;
  name: string;
  lookupHash: string;
  secretHash: string;
  displayPrefix: string;
  createdAt: number;
}

/** Storing a key that exists already (same secret) is a no-op. */
export async function insertApiKey(db: Db, deploymentId: string, key: NewApiKey): Promise<void> {
  const row: ApiKeyRow = {
    id: key.id,
    deployment_id: deploymentId,
    name: key.name,
    lookup_hash: key.lookupHash,
    secret_hash: key.secretHash,
    display_prefix: key.displayPrefix,
    created_at: key.createdAt,
    last_used_at: null,
    revoked_at: null,
  };
  await db
    .insertInto("api_keys")
    .values(row)
    .onConflict((conflict) => conflict.column("secret_hash").doNothing())
    .execute();
}

export async function listApiKeys(db: Db, deploymentId: string | undefined): Promise<ApiKey[]> {
  let query = db.selectFrom("api_keys").select(publicColumns).orderBy("created_at").orderBy("id");
  if (deploymentId) query = query.where("deployment_id", "=", deploymentId);
  return (await query.execute()).map(toApiKey);
}

export async function findApiKeyOfDeployment(db: Db, deploymentId: string, keyId: string): Promise<ApiKey | null> {
  const row = await db.selectFrom("api_keys").select(publicColumns).where("deployment_id", "=", deploymentId).where("id", "=", keyId).executeTakeFirst();
  return row ? toApiKey(row) : null;
}

export async function countActiveApiKeys(db: Db, deploymentId: string): Promise<number> {
  const row = await db
    .selectFrom("api_keys")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("deployment_id", "=", deploymentId)
    .where("revoked_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Candidates for a presented key: the caller compares `secret_hash` in constant time. */
export async function findApiKeysByLookupHash(db: Db, lookupHash: string) {
  return db
    .selectFrom("api_keys")
    .select(["id", "deployment_id", "name", "secret_hash", "revoked_at", "last_used_at"])
    .where("lookup_hash", "=", lookupHash)
    .execute();
}

export async function updateApiKeyLastUsed(db: Db, keyId: string, nowMs: number): Promise<void> {
  await db.updateTable("api_keys").set({ last_used_at: nowMs }).where("id", "=", keyId).execute();
}

/** Revokes a key that was active (of `deploymentId`, when given); returns its deployment, or null when there was no such active key. */
export async function revokeApiKeyRow(db: Db, keyId: string, nowMs: number, deploymentId?: string): Promise<string | null> {
  let query = db.updateTable("api_keys").set({ revoked_at: nowMs }).where("id", "=", keyId);
  if (deploymentId !== undefined) query = query.where("deployment_id", "=", deploymentId);
  const row = await query.where("revoked_at", "is", null).returning("deployment_id").executeTakeFirst();
  return row?.deployment_id ?? null;
}

/** The active keys of a deployment with this name, with their hashes, for comparing against a configured key. */
export async function listActiveApiKeysNamed(db: Db, deploymentId: string, name: string) {
  return db
    .selectFrom("api_keys")
    .select(["id", "secret_hash", "display_prefix", "created_at"])
    .where("deployment_id", "=", deploymentId)
    .where("name", "=", name)
    .where("revoked_at", "is", null)
    .execute();
}

/** The key with this secret hash in a deployment, active or revoked, or null. */
export async function findApiKeyBySecretHash(db: Db, deploymentId: string, secretHash: string) {
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "revoked_at"])
    .where("deployment_id", "=", deploymentId)
    .where("secret_hash", "=", secretHash)
    .executeTakeFirst();
  return row ?? null;
}

/** Whether the key is revoked (or gone): the per-request check behind a cached key on Postgres. */
export async function isApiKeyRevoked(db: Db, keyId: string): Promise<boolean> {
  const row = await db.selectFrom("api_keys").select("revoked_at").where("id", "=", keyId).executeTakeFirst();
  return row === undefined || row.revoked_at !== null;
}
