import type { JWK } from "jose";
import type { Db } from "../storage/db.js";
import type { SigningKeyRow } from "../storage/tables.js";

/** A signing key as anyone may see it: the public half only. */
export interface PublicSigningKey {
  id: string;
  deploymentId: string;
  algorithm: string;
  publicJwk: Record<string, unknown>;
  createdAt: number;
  retiredAt: number | null;
}

/** The key that signs: its private JWK, for signing in this process and nothing else. */
export interface PrivateSigningKey {
  id: string;
  algorithm: string;
  privateJwk: JWK;
}

// Every column but the private key: no query that feeds a response or a log can select it.
const publicColumns = ["id", "deployment_id", "algorithm", "public_jwk", "created_at", "retired_at"] as const;

const toPublicSigningKey = (row: Pick<SigningKeyRow, (typeof publicColumns)[number]>): PublicSigningKey => ({
  id: row.id,
  deploymentId: row.deployment_id,
  algorithm: row.algorithm,
  publicJwk: JSON.parse(row.public_jwk),
  createdAt: row.created_at,
  retiredAt: row.retired_at,
});

/** A private key as stored: sealed by the service (or, in rows from before sealing, plain JSON). */
export interface StoredPrivateSigningKey {
  id: string;
  algorithm: string;
  storedPrivateJwk: string;
}

/** The only read of the signing key: the deployment's active one, or null before the first is made. */
export async function findActivePrivateSigningKey(db: Db, deploymentId: string): Promise<StoredPrivateSigningKey | null> {
  const row = await db
    .selectFrom("signing_keys")
    .select(["id", "algorithm", "private_jwk"])
    .where("deployment_id", "=", deploymentId)
    .where("retired_at", "is", null)
    .executeTakeFirst();
  return row ? { id: row.id, algorithm: row.algorithm, storedPrivateJwk: row.private_jwk } : null;
}

/** Every private key of a deployment as stored, for (re)sealing them. */
export async function listStoredPrivateSigningKeys(db: Db, deploymentId: string): Promise<StoredPrivateSigningKey[]> {
  const rows = await db.selectFrom("signing_keys").select(["id", "algorithm", "private_jwk"]).where("deployment_id", "=", deploymentId).execute();
  return rows.map((row) => ({ id: row.id, algorithm: row.algorithm, storedPrivateJwk: row.private_jwk }));
}

/** Replaces a stored private JWK, unless another instance replaced it first (compare-and-set on the old value). */
export async function updateStoredPrivateJwk(db: Db, deploymentId: string, keyId: string, previous: string, next: string): Promise<void> {
  await db
    .updateTable("signing_keys")
    .set({ private_jwk: next })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", keyId)
    .where("private_jwk", "=", previous)
    .execute();
}

/** A freshly generated key pair: the public JWK (carrying its kid, alg and use), the private one already sealed. */
export interface NewSigningKey {
  id: string;
  algorithm: string;
  publicJwk: Record<string, unknown>;
  sealedPrivateJwk: string;
  createdAt: number;
}

/** Inserts unless the deployment already has an active key (another instance made it first); returns whether it did. */
export async function insertSigningKey(db: Db, deploymentId: string, key: NewSigningKey): Promise<boolean> {
  const row: SigningKeyRow = {
    id: key.id,
    deployment_id: deploymentId,
    algorithm: key.algorithm,
    public_jwk: JSON.stringify(key.publicJwk),
    private_jwk: key.sealedPrivateJwk,
    created_at: key.createdAt,
    retired_at: null,
  };
  const result = await db
    .insertInto("signing_keys")
    .values(row)
    .onConflict((conflict) => conflict.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Retires the active key, if any; returns its id. */
export async function retireActiveSigningKey(db: Db, deploymentId: string, nowMs: number): Promise<string | null> {
  const active = await db
    .updateTable("signing_keys")
    .set({ retired_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("retired_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return active?.id ?? null;
}

/** The active key and the keys retired after `retiredAfterMs`, newest first. */
export async function listPublishedSigningKeys(db: Db, deploymentId: string, retiredAfterMs: number): Promise<PublicSigningKey[]> {
  const rows = await db
    .selectFrom("signing_keys")
    .select(publicColumns)
    .where("deployment_id", "=", deploymentId)
    .where((eb) => eb.or([eb("retired_at", "is", null), eb("retired_at", ">", retiredAfterMs)]))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return rows.map(toPublicSigningKey);
}

/** Every key of a deployment, newest first, for operators. */
export async function listSigningKeys(db: Db, deploymentId: string): Promise<PublicSigningKey[]> {
  const rows = await db
    .selectFrom("signing_keys")
    .select(publicColumns)
    .where("deployment_id", "=", deploymentId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return rows.map(toPublicSigningKey);
}
