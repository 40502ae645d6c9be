import type { Db } from "../storage/db.js";
import type { PasskeyRow } from "../storage/tables.js";

export type PasskeyDeviceType = "platform" | "cross-platform";

/** A passkey as an admin may see it: never its credential id, public key or AAGUID. */
export interface Passkey {
  id: string;
  userId: string;
  name: string;
  signCount: number;
  transports: string[];
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
  lastUsedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What verifying an assertion needs; read only by the passkeys service. */
export interface PasskeyCredential {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
}

const passkeyColumns = ["id", "user_id", "name", "sign_count", "transports", "device_type", "backed_up", "last_used_at", "created_at", "updated_at"] as const;

const toPasskey = (row: Pick<PasskeyRow, (typeof passkeyColumns)[number]>): Passkey => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  signCount: Number(row.sign_count),
  transports: JSON.parse(row.transports),
  deviceType: row.device_type as PasskeyDeviceType,
  backedUp: Boolean(row.backed_up),
  lastUsedAt: row.last_used_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface NewPasskey {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: string;
  aaguid: string;
  name: string;
  signCount: number;
  transports: string[];
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
  createdAt: number;
}

export async function insertPasskey(db: Db, deploymentId: string, passkey: NewPasskey): Promise<void> {
  await db
    .insertInto("passkeys")
    .values({
      id: passkey.id,
      deployment_id: deploymentId,
      user_id: passkey.userId,
      credential_id: passkey.credentialId,
      public_key: passkey.publicKey,
      aaguid: passkey.aaguid,
      name: passkey.name,
      sign_count: passkey.signCount,
      transports: JSON.stringify(passkey.transports),
      device_type: passkey.deviceType,
      backed_up: passkey.backedUp,
      last_used_at: null,
      created_at: passkey.createdAt,
      updated_at: passkey.createdAt,
    })
    .execute();
}

/** Newest first. */
export async function listPasskeys(db: Db, deploymentId: string, userId: string): Promise<Passkey[]> {
  const rows = await db
    .selectFrom("passkeys")
    .select(passkeyColumns)
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return rows.map(toPasskey);
}

/** The user's credential ids, so a registration can exclude authenticators already registered. */
export async function listCredentialIds(db: Db, deploymentId: string, userId: string): Promise<Array<{ credentialId: string; transports: string[] }>> {
  const rows = await db
    .selectFrom("passkeys")
    .select(["credential_id", "transports"])
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .execute();
  return rows.map((row) => ({ credentialId: row.credential_id, transports: JSON.parse(row.transports) }));
}

export async function findPasskeyByCredentialId(db: Db, deploymentId: string, credentialId: string): Promise<PasskeyCredential | null> {
  const row = await db
    .selectFrom("passkeys")
    .select(["id", "user_id", "credential_id", "public_key", "sign_count", "transports"])
    .where("deployment_id", "=", deploymentId)
    .where("credential_id", "=", credentialId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports: JSON.parse(row.transports),
  };
}

/**
 * Records a use with its new signature counter, only if the counter still is what the check
 * saw: two assertions racing with one counter value cannot both pass.
 */
export async function recordPasskeyUse(
  db: Db,
  deploymentId: string,
  passkeyId: string,
  expectedSignCount: number,
  newSignCount: number,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable("passkeys")
    .set({ sign_count: newSignCount, last_used_at: nowMs, updated_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", passkeyId)
    .where("sign_count", "=", expectedSignCount)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Returns whether the user has that passkey. */
export async function updatePasskeyName(db: Db, deploymentId: string, userId: string, passkeyId: string, name: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable("passkeys")
    .set({ name, updated_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .where("id", "=", passkeyId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deletePasskey(db: Db, deploymentId: string, userId: string, passkeyId: string): Promise<boolean> {
  const result = await db
    .deleteFrom("passkeys")
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .where("id", "=", passkeyId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface NewWebauthnChallenge {
  id: string;
  /** The user registering a passkey; null for a sign-in. */
  userId: string | null;
  purpose: "registration" | "authentication";
  challenge: string;
  createdAt: number;
  expiresAt: number;
}

/** Stores a challenge, and forgets the deployment's expired ones. */
export async function insertWebauthnChallenge(db: Db, deploymentId: string, challenge: NewWebauthnChallenge): Promise<void> {
  await db.deleteFrom("webauthn_challenges").where("deployment_id", "=", deploymentId).where("expires_at", "<=", challenge.createdAt).execute();
  await db
    .insertInto("webauthn_challenges")
    .values({
      id: challenge.id,
      deployment_id: deploymentId,
      user_id: challenge.userId,
      purpose: challenge.purpose,
      challenge: challenge.challenge,
      expires_at: challenge.expiresAt,
      created_at: challenge.createdAt,
    })
    .execute();
}

/**
 * Consumes a challenge: deleted by the statement that finds it, so it works once. Returns the
 * user it was issued for (null for a sign-in challenge), or undefined when there is no such
 * live challenge for this purpose.
 */
export async function consumeWebauthnChallenge(
  db: Db,
  deploymentId: string,
  challenge: string,
  purpose: string,
  nowMs: number,
): Promise<{ userId: string | null } | undefined> {
  const row = await db
    .deleteFrom("webauthn_challenges")
    .where("deployment_id", "=", deploymentId)
    .where("challenge", "=", challenge)
    .where("purpose", "=", purpose)
    .where("expires_at", ">", nowMs)
    .returning(["user_id"])
    .executeTakeFirst();
  return row ? { userId: row.user_id } : undefined;
}
