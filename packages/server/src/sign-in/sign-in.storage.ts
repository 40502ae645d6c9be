import type { Db } from "../storage/db.js";

/**
 * The sign_in_failures table: recent wrong passwords per user. The users columns sign-in reads and
 * writes (password hash, lockout, last sign-in) belong to users.storage.ts, reached via users.service.ts.
 */
export interface SignInFailure {
  id: string;
  userId: string;
  failedAt: number;
}

/** Records an attempt and forgets this user's attempts older than `forgetBeforeMs`. */
export async function insertSignInFailure(db: Db, deploymentId: string, failure: SignInFailure, forgetBeforeMs: number): Promise<void> {
  await db.insertInto("sign_in_failures").values({ id: failure.id, deployment_id: deploymentId, user_id: failure.userId, failed_at: failure.failedAt }).execute();
  await db.deleteFrom("sign_in_failures").where("deployment_id", "=", deploymentId).where("user_id", "=", failure.userId).where("failed_at", "<", forgetBeforeMs).execute();
}

export async function countSignInFailures(db: Db, deploymentId: string, userId: string, sinceMs: number): Promise<number> {
  const row = await db
    .selectFrom("sign_in_failures")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .where("failed_at", ">=", sinceMs)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Forgets one attempt (by id), or all of the user's. */
export async function deleteSignInFailures(db: Db, deploymentId: string, userId: string, failureId?: string): Promise<void> {
  let query = db.deleteFrom("sign_in_failures").where("deployment_id", "=", deploymentId).where("user_id", "=", userId);
  if (failureId) query = query.where("id", "=", failureId);
  await query.execute();
}
