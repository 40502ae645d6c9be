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
  await db
    .insertInto("pending_sign_ins")
    .values({
      id_hash: pending.idHash,
      deployment_id: deploymentId,
      user_id: pending.userId,
      password_hash_digest: pending.passwordHashDigest,
      expires_at: pending.expiresAt,
      created_at: pending.createdAt,
    })
    .execute();
}

export interface PendingSignIn {
  userId: string;
  passwordHashDigest: string;
}

/** A live (unexpired) pending sign-in, or null. */
export async function findPendingSignIn(db: Db, deploymentId: string, idHash: string, nowMs: number): Promise<PendingSignIn | null> {
  const row = await db
    .selectFrom("pending_sign_ins")
    .select(["user_id", "password_hash_digest"])
    .where("deployment_id", "=", deploymentId)
    .where("id_hash", "=", idHash)
    .where("expires_at", ">", nowMs)
    .executeTakeFirst();
  return row ? { userId: row.user_id, passwordHashDigest: row.password_hash_digest } : null;
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
