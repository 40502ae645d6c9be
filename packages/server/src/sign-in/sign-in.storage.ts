import type { Db } from "../storage/db.js";

/**
 * The sign_in_attempt_failures table: recent failed sign-ins per account and client address. The
 * users columns sign-in reads and writes (password hash, lockout, last sign-in) belong to
 * users.storage.ts, reached via users.service.ts.
 */
export interface AttemptFailure {
  id: string;
  /** A user id, or "idf:" + a hash of an identifier no user has. */
  accountKey: string;
  /** An IPv4 address or an IPv6 /64. */
  addressKey: string;
  failedAt: number;
}

/** Records a failure and forgets this account's failures older than `forgetBeforeMs`. */
export async function insertAttemptFailure(db: Db, deploymentId: string, failure: AttemptFailure, forgetBeforeMs: number): Promise<void> {
  await db
    .insertInto("sign_in_attempt_failures")
    .values({ id: failure.id, deployment_id: deploymentId, account_key: failure.accountKey, address_key: failure.addressKey, failed_at: failure.failedAt })
    .execute();
  await db
    .deleteFrom("sign_in_attempt_failures")
    .where("deployment_id", "=", deploymentId)
    .where("account_key", "=", failure.accountKey)
    .where("failed_at", "<", forgetBeforeMs)
    .execute();
}

/** How many failures one address has on one account since `sinceMs`, and when the latest was. */
export async function findPairFailures(
  db: Db,
  deploymentId: string,
  accountKey: string,
  addressKey: string,
  sinceMs: number,
): Promise<{ count: number; lastFailedAt: number | null }> {
  const row = await db
    .selectFrom("sign_in_attempt_failures")
    .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.max<number>("failed_at").as("last")])
    .where("deployment_id", "=", deploymentId)
    .where("account_key", "=", accountKey)
    .where("address_key", "=", addressKey)
    .where("failed_at", ">=", sinceMs)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), lastFailedAt: row.last === null ? null : Number(row.last) };
}

/** How many failures an account has from every address since `sinceMs`. */
export async function countAccountFailures(db: Db, deploymentId: string, accountKey: string, sinceMs: number): Promise<number> {
  const row = await db
    .selectFrom("sign_in_attempt_failures")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("deployment_id", "=", deploymentId)
    .where("account_key", "=", accountKey)
    .where("failed_at", ">=", sinceMs)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Forgets one failure by id, the failures of one address on an account, or (without `addressKey`) all of the account's. */
export async function deleteAttemptFailures(db: Db, deploymentId: string, accountKey: string, which: { id?: string; addressKey?: string } = {}): Promise<void> {
  let query = db.deleteFrom("sign_in_attempt_failures").where("deployment_id", "=", deploymentId).where("account_key", "=", accountKey);
  if (which.id) query = query.where("id", "=", which.id);
  if (which.addressKey) query = query.where("address_key", "=", which.addressKey);
  await query.execute();
}
