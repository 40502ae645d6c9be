import { errors } from "../errors.js";
import type { Db } from "../storage/db.js";
import {
  claimIdempotencyKey,
  deleteIdempotencyRecordsBefore,
  findIdempotencyRecord,
  releaseIdempotencyKey,
  saveIdempotentResponse,
  takeOverIdempotencyClaim,
} from "./idempotency.storage.js";

/** How long a stored answer is replayed: long enough for any client's retries, as Stripe does. */
export const IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * How long a claim without an answer keeps its key. A request that crashed (the process died, the
 * database went away) leaves its claim behind; after the lease a retry takes it over and runs the
 * request, instead of answering 409 for a day. Far longer than any request of ours takes.
 */
export const IDEMPOTENCY_CLAIM_LEASE_MS = 30 * 1000;

export type IdempotencyOutcome = { kind: "proceed" } | { kind: "replay"; status: number; body: string };

/**
 * Decides what a request carrying an Idempotency-Key does: run (first time), replay the stored
 * answer (a retry), or fail because the key is busy or was used for a different request.
 */
export async function beginIdempotentRequest(db: Db, deploymentId: string, key: string, fingerprint: string): Promise<IdempotencyOutcome> {
  if (key.length < 1 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw errors.invalid_idempotency_key();
  }
  const now = Date.now();
  // Expired records are swept now and then rather than by a job: nothing runs outside requests.
  if (Math.random() < 0.01) await deleteIdempotencyRecordsBefore(db, now - IDEMPOTENCY_KEY_LIFETIME_MS);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await claimIdempotencyKey(db, deploymentId, key, fingerprint, now)) return { kind: "proceed" };
    const record = await findIdempotencyRecord(db, deploymentId, key);
    if (!record) continue; // released between our insert and our read: claim again
    if (now - record.created_at > IDEMPOTENCY_KEY_LIFETIME_MS) {
      await releaseIdempotencyKey(db, deploymentId, key);
      continue;
    }
    if (record.request_fingerprint !== fingerprint) {
      throw errors.idempotency_key_reused();
    }
    if (record.response_status === null && now - record.created_at > IDEMPOTENCY_CLAIM_LEASE_MS) {
      // Only one retry wins the takeover: the claim is replaced only if it is still the stale one.
      if (await takeOverIdempotencyClaim(db, deploymentId, key, record.created_at, now)) return { kind: "proceed" };
      continue;
    }
    if (record.response_status === null) {
      throw errors.idempotency_key_in_progress();
    }
    return { kind: "replay", status: record.response_status, body: record.response_body ?? "{}" };
  }
  throw errors.idempotency_key_in_progress();
}

export { releaseIdempotencyKey };

/** Stores the answer to replay; a 5xx releases the key instead, so a retry runs the request again. */
export async function finishIdempotentRequest(db: Db, deploymentId: string, key: string, status: number, body: string): Promise<void> {
  if (status >= 500) await releaseIdempotencyKey(db, deploymentId, key);
  else await saveIdempotentResponse(db, deploymentId, key, status, body);
}
