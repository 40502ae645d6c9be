import type { Db } from "../storage/db.js";
import type { IdempotencyKeyRow } from "../storage/tables.js";

export type IdempotencyRecord = Pick<IdempotencyKeyRow, "request_fingerprint" | "response_status" | "response_body" | "created_at">;

/** Claims the key for a request; false when a row for it already exists. */
export async function claimIdempotencyKey(db: Db, deploymentId: string, key: string, fingerprint: string, nowMs: number): Promise<boolean> {
  const result = await db
    .insertInto("idempotency_keys")
    .values({
      deployment_id: deploymentId,
      idempotency_key: key,
      request_fingerprint: fingerprint,
      response_status: null,
      response_body: null,
      created_at: nowMs,
    })
    .onConflict((conflict) => conflict.columns(["deployment_id", "idempotency_key"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function findIdempotencyRecord(db: Db, deploymentId: string, key: string): Promise<IdempotencyRecord | null> {
  const row = await db
    .selectFrom("idempotency_keys")
    .select(["request_fingerprint", "response_status", "response_body", "created_at"])
    .where("deployment_id", "=", deploymentId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
  return row ?? null;
}

export async function saveIdempotentResponse(db: Db, deploymentId: string, key: string, status: number, body: string): Promise<void> {
  await db
    .updateTable("idempotency_keys")
    .set({ response_status: status, response_body: body })
    .where("deployment_id", "=", deploymentId)
    .where("idempotency_key", "=", key)
    .execute();
}

export async function releaseIdempotencyKey(db: Db, deploymentId: string, key: string): Promise<void> {
  await db.deleteFrom("idempotency_keys").where("deployment_id", "=", deploymentId).where("idempotency_key", "=", key).execute();
}

export async function deleteIdempotencyRecordsBefore(db: Db, cutoffMs: number): Promise<void> {
  await db.deleteFrom("idempotency_keys").where("created_at", "<", cutoffMs).execute();
}

/** Renews a claim that has no answer yet, if it still has `claimedAtMs` (compare-and-set); returns whether it did. */
export async function takeOverIdempotencyClaim(db: Db, deploymentId: string, key: string, claimedAtMs: number, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable("idempotency_keys")
    .set({ created_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("idempotency_key", "=", key)
    .where("created_at", "=", claimedAtMs)
    .where("response_status", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
