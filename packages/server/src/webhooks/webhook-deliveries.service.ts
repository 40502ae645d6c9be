import { randomBytes } from "node:crypto";
import { appendAuditEntry, type AuditContext } from "../audit-log/audit-log.service.js";
import { errors } from "../errors.js";
import { generateId } from "../ids.js";
import type { Db } from "../storage/db.js";
import { retryDelayMs } from "./retry-schedule.js";
import type { SendResult } from "./sender.js";
import {
  claimDueDeliveries,
  completeClaimedDelivery,
  deliveryStats,
  findDelivery,
  findDeliveryIds,
  findEventPayload,
  findReplayTask,
  findReplayTaskByIdempotencyKey,
  insertAttempt,
  insertReplayTask,
  listAttempts,
  listDeliveries,
  listReplayTasks,
  requeueDeliveries,
  type ClaimedDelivery,
  type DeliveryFilter,
  type ReplayTask,
  type WebhookDelivery,
} from "./webhook-deliveries.storage.js";
import { countActiveWebhookEndpoints, getWebhookApp } from "./webhooks.service.js";
import { recordEndpointFailure, recordEndpointSuccess } from "./webhooks.storage.js";

export type { ClaimedDelivery, DeliveryAttempt, ReplayTask, WebhookDelivery } from "./webhook-deliveries.storage.js";

export async function listWebhookDeliveries(db: Db, deploymentId: string, slug: string, filter: DeliveryFilter, page: { limit: number; offset: number }) {
  const app = await getWebhookApp(db, deploymentId, slug);
  return { app, ...(await listDeliveries(db, deploymentId, app.id, filter, page)) };
}

export async function getWebhookDeliveryDetails(db: Db, deploymentId: string, slug: string, deliveryId: string, status?: string) {
  const app = await getWebhookApp(db, deploymentId, slug);
  const delivery = await findDelivery(db, deploymentId, deliveryId);
  if (!delivery || delivery.appId !== app.id || (status !== undefined && delivery.status !== status)) throw errors.webhook_delivery_not_found(deliveryId);
  const [payload, attempts] = await Promise.all([findEventPayload(db, deploymentId, delivery.eventId), listAttempts(db, deploymentId, delivery.id)]);
  return { app, delivery, payload: payload === null ? null : (JSON.parse(payload) as unknown), attempts };
}

export type ReplaySelection = { deliveryIds: string[] } | ({ startMs: number } & DeliveryFilter);

/**
 * Puts the selected deliveries back in the queue (same delivery, same webhook-id, one more
 * attempt) as a replay task. The requeue is one statement, so the task is complete when this
 * returns; an idempotency key returns the task it made before instead of replaying twice.
 */
export async function replayWebhookDeliveries(
  db: Db,
  deploymentId: string,
  context: AuditContext,
  slug: string,
  selection: ReplaySelection,
  idempotencyKey?: string,
): Promise<{ task: ReplayTask; isNew: boolean }> {
  const app = await getWebhookApp(db, deploymentId, slug);
  if (idempotencyKey !== undefined) {
    const earlier = await findReplayTaskByIdempotencyKey(db, deploymentId, app.id, idempotencyKey);
    if (earlier) return { task: earlier, isNew: false };
  }
  const now = Date.now();
  return db.transaction().execute(async (trx) => {
    let totalCount: number;
    let replayedCount: number;
    if ("deliveryIds" in selection) {
      if (selection.deliveryIds.length === 0) throw errors.validation_failed({ ["delivery_ids"]: "must name at least one delivery" });
      const known = await findDeliveryIds(trx, deploymentId, app.id, selection.deliveryIds);
      const unknown = selection.deliveryIds.find((id) => !known.includes(id));
      if (unknown !== undefined) throw errors.webhook_delivery_not_found(unknown);
      totalCount = known.length;
      replayedCount = await requeueDeliveries(trx, deploymentId, app.id, { ids: known }, now);
    } else {
      const { startMs, ...filter } = selection;
      replayedCount = await requeueDeliveries(trx, deploymentId, app.id, { ...filter, sinceMs: startMs }, now);
      totalCount = replayedCount;
    }
    const task: ReplayTask = {
      id: generateId("whr", now),
      deploymentId,
      appId: app.id,
      status: "completed",
      totalCount,
      processed: totalCount,
      replayedCount,
      failedCount: totalCount - replayedCount,
      createdAt: now,
      startedAt: now,
      completedAt: now,
    };
    await insertReplayTask(trx, deploymentId, { ...task, idempotencyKey: idempotencyKey ?? null, criteria: selection });
    await appendAuditEntry(trx, deploymentId, context, { action: "webhook_delivery.replay", target: { type: "webhook_replay_task", id: task.id } });
    return { task, isNew: true };
  });
}

export async function getWebhookReplayTask(db: Db, deploymentId: string, slug: string, taskId: string): Promise<ReplayTask> {
  const app = await getWebhookApp(db, deploymentId, slug);
  const task = await findReplayTask(db, deploymentId, app.id, taskId);
  if (!task) throw errors.webhook_replay_task_not_found(taskId);
  return task;
}

export async function listWebhookReplayTasks(db: Db, deploymentId: string, slug: string, page: { limit: number; offset: number }) {
  const app = await getWebhookApp(db, deploymentId, slug);
  return listReplayTasks(db, deploymentId, app.id, page);
}

/** Replays finish inside the request that starts them, so there is never one left to cancel. */
export async function cancelWebhookReplayTask(db: Db, deploymentId: string, slug: string, taskId: string): Promise<never> {
  const task = await getWebhookReplayTask(db, deploymentId, slug, taskId);
  throw errors.webhook_replay_task_finished(task.id, task.status);
}

export async function getWebhookStats(db: Db, deploymentId: string, slug: string, nowMs = Date.now()) {
  const app = await getWebhookApp(db, deploymentId, slug);
  const [stats, activeEndpoints] = await Promise.all([
    deliveryStats(db, deploymentId, app.id, nowMs - 86_400_000),
    countActiveWebhookEndpoints(db, deploymentId, app.id),
  ]);
  return {
    totalDeliveries: stats.total,
    successRate: stats.total === 0 ? 0 : stats.succeeded / stats.total,
    activeEndpoints,
    failedDeliveries24h: stats.failedSince,
  };
}

// ---------------------------------------------------------------- for the dispatcher

/** Claims due deliveries of every deployment for this dispatcher (webhook-deliveries.storage.ts explains the lease). */
export async function claimWebhookDeliveries(db: Db, nowMs: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  return claimDueDeliveries(db, nowMs, leaseMs, limit, randomBytes(12).toString("base64url"));
}

export async function findDeliveryPayload(db: Db, delivery: WebhookDelivery): Promise<string | null> {
  return findEventPayload(db, delivery.deploymentId, delivery.eventId);
}

/**
 * Records an attempt and decides what comes next: done on a 2xx, otherwise another attempt after
 * the retry schedule's wait, or failed for good once the attempts are used up. A failure also
 * counts against the endpoint, which is disabled after failing for `disableAfterMs`.
 * Nothing is recorded when another dispatcher took the delivery over (lease passed).
 */
export async function recordDeliveryAttempt(
  db: Db,
  delivery: ClaimedDelivery,
  result: SendResult,
  policy: { retryScheduleMs: number[]; disableAfterMs: number; nowMs: number; random?: () => number; endpointDisabled?: boolean },
): Promise<{ recorded: boolean; status: string; endpointDisabled: boolean }> {
  const attemptNumber = delivery.attemptCount + 1;
  const retriesLeft = !policy.endpointDisabled && attemptNumber < delivery.maxAttempts;
  const status = result.succeeded ? "succeeded" : retriesLeft ? "pending" : "failed";
  const nextAttemptAt = status === "pending" ? policy.nowMs + retryDelayMs(policy.retryScheduleMs, attemptNumber, policy.random) : null;
  return db.transaction().execute(async (trx) => {
    const recorded = await completeClaimedDelivery(trx, delivery.deploymentId, delivery.id, delivery.leaseToken, {
      status,
      attemptCount: attemptNumber,
      nextAttemptAt,
      statusCode: result.statusCode,
      responseTimeMs: result.durationMs,
      nowMs: policy.nowMs,
    });
    if (!recorded) return { recorded, status, endpointDisabled: false };
    await insertAttempt(trx, delivery.deploymentId, generateId("wht", policy.nowMs), delivery.id, {
      attemptNumber,
      succeeded: result.succeeded,
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      responseBody: result.responseBody,
      responseHeaders: result.responseHeaders,
      error: result.error,
      attemptedAt: policy.nowMs,
    });
    let endpointDisabled = false;
    if (result.succeeded) await recordEndpointSuccess(trx, delivery.deploymentId, delivery.endpointId);
    else if (!policy.endpointDisabled)
      endpointDisabled = await recordEndpointFailure(trx, delivery.deploymentId, delivery.endpointId, policy.nowMs, policy.disableAfterMs);
    return { recorded, status, endpointDisabled };
  });
}
