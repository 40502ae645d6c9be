import type { Db } from "../storage/db.js";

export interface NewPendingSignIn extends PendingSignIn {
  idHash: string;
  createdAt: number;
  expiresAt: number;
}

/** Stores a sign-in waiting for its second factor, and forgets the user's expired ones. */
export async function insertPendingSignIn(db: Db, deploymentId: string, pending: NewPendingSignIn): Promise<void> {
  await db
    .deleteFrom("pending_sign_ins")
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", pending.userId)
    .where("expires_at", "<=", pending.createdAt)
    .execute();
  const { firstFactor } = pending;
  await db
    .insertInto("pending_sign_ins")
    .values({
      id_hash: pending.idHash,
      deployment_id: deploymentId,
      user_id: pending.userId,
      first_factor: firstFactor.method,
      password_hash_digest: firstFactor.method === "password" ? firstFactor.passwordHashDigest : "",
      social_connection_id: firstFactor.method === "password" ? null : firstFactor.connectionId,
      expires_at: pending.expiresAt,
      created_at: pending.createdAt,
    })
    .execute();
}

/** What the first step verified: a password (by the digest of its hash), or a provider through one of the user's connections. */
export type PendingFirstFactor = { method: "password"; passwordHashDigest: string } | { method: `oauth_${string}`; connectionId: string };

export interface PendingSignIn {
  userId: string;
  firstFactor: PendingFirstFactor;
}

/** A live (unexpired) pending sign-in, or null. */
export async function findPendingSignIn(db: Db, deploymentId: string, idHash: string, nowMs: number): Promise<PendingSignIn | null> {
  const row = await db
    .selectFrom("pending_sign_ins")
    .select(["user_id", "first_factor", "password_hash_digest", "social_connection_id"])
    .where("deployment_id", "=", deploymentId)
    .where("id_hash", "=", idHash)
    .where("expires_at", ">", nowMs)
    .executeTakeFirst();
  if (!row) return null;
  const firstFactor: PendingFirstFactor | null =
    row.first_factor === "password"
      ? { method: "password", passwordHashDigest: row.password_hash_digest }
      : row.first_factor.startsWith("oauth_") && row.social_connection_id !== null
        ? { method: row.first_factor as `oauth_${string}`, connectionId: row.social_connection_id }
        : null;
  return firstFactor && { userId: row.user_id, firstFactor };
}

/** Finishes a pending sign-in: deleted by the statement that claims it, so it completes once. */
export async function deletePendingSignIn(db: Db, deploymentId: string, idHash: string, nowMs: number): Promise<boolean> {
  const result = await db
    .deleteFrom("pending_sign_ins")
    .where("deployment_id", "=", deploymentId)
    .where("id_hash", "=", idHash)
    .where("expires_at", ">", nowMs)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
