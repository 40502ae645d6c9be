import { sql, type SqlBool } from "kysely";
import { dialectOf } from "../storage/dialect.js";
import { insertRows } from "../storage/bulk-insert.js";
import type { Db } from "../storage/db.js";
import type { WebhookDeliveryRow, WebhookReplayTaskRow } from "../storage/tables.js";

// Owns webhook_events (the outbox), webhook_deliveries, webhook_delivery_attempts and webhook_replay_tasks.

export type DeliveryStatus = "pending" | "succeeded" | "failed";

export interface WebhookDelivery {
  id: string;
  deploymentId: string;
  appId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attemptCount: number;
  maxAttempts: number;
  nextAttemptAt: number | null;
  lastStatusCode: number | null;
  lastResponseTimeMs: number | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
}

/** A delivery a dispatcher holds until `leaseToken` is replaced or its lease (next_attempt_at) passes. */
export interface ClaimedDelivery extends WebhookDelivery {
  leaseToken: string;
}

export interface DeliveryAttempt {
  attemptNumber: number;
  succeeded: boolean;
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
  error: string | null;
  attemptedAt: number;
}

export interface DeliveryFilter {
  endpointId?: string;
  eventName?: string;
  status?: string;
  sinceMs?: number;
  untilMs?: number;
}

export interface ReplayTask {
  id: string;
  deploymentId: string;
  appId: string;
  status: string;
  totalCount: number;
  processed: number;
  replayedCount: number;
  failedCount: number;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
}

const toDelivery = (row: WebhookDeliveryRow): WebhookDelivery => ({
  id: row.id,
  deploymentId: row.deployment_id,
  appId: row.app_id,
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  eventType: row.event_type,
  status: row.status as DeliveryStatus,
  attemptCount: row.attempt_count,
  maxAttempts: row.max_attempts,
  nextAttemptAt: row.next_attempt_at,
  lastStatusCode: row.last_status_code,
  lastResponseTimeMs: row.last_response_time_ms,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  completedAt: row.completed_at,
});

const toReplayTask = (row: WebhookReplayTaskRow): ReplayTask => ({
  id: row.id,
  deploymentId: row.deployment_id,
  appId: row.app_id,
  status: row.status,
  totalCount: row.total_count,
  processed: row.processed,
  replayedCount: row.replayed_count,
  failedCount: row.failed_count,
  createdAt: row.created_at,
  startedAt: row.started_at,
  completedAt: row.completed_at,
});

// A literal, not a parameter: the planners can only use the partial index "WHERE status = 'pending'" for it.
const isPending = sql<SqlBool>`status = 'pending'`;

export async function insertEvent(
  db: Db,
  deploymentId: string,
  event: { id: string; appId: string | null; eventType: string; payload: string; createdAt: number },
): Promise<void> {
  // Every change writes one: the statement text is built once (storage/bulk-insert.ts), not by Kysely per call.
  await insertRows(db, "webhook_events", [
    {
      id: event.id,
      deployment_id: deploymentId,
      app_id: event.appId,
      event_type: event.eventType,
      payload: event.payload,
      created_at: event.createdAt,
    },
  ]);
}

export async function findEventPayload(db: Db, deploymentId: string, eventId: string): Promise<string | null> {
  const row = await db.selectFrom("webhook_events").select("payload").where("deployment_id", "=", deploymentId).where("id", "=", eventId).executeTakeFirst();
  return row?.payload ?? null;
}

export async function insertDeliveries(
  db: Db,
  deploymentId: string,
  deliveries: Array<{ id: string; appId: string; endpointId: string; eventId: string; eventType: string; maxAttempts: number }>,
  nowMs: number,
): Promise<void> {
  if (deliveries.length === 0) return;
  await db
    .insertInto("webhook_deliveries")
    .values(
      deliveries.map((delivery) => ({
        id: delivery.id,
        deployment_id: deploymentId,
        app_id: delivery.appId,
        endpoint_id: delivery.endpointId,
        event_id: delivery.eventId,
        event_type: delivery.eventType,
        status: "pending",
        attempt_count: 0,
        max_attempts: delivery.maxAttempts,
        next_attempt_at: nowMs,
        lease_token: null,
        last_status_code: null,
        last_response_time_ms: null,
        created_at: nowMs,
        updated_at: nowMs,
        completed_at: null,
      })),
    )
    .execute();
}

/**
 * Claims up to `limit` due deliveries of every deployment (the dispatcher serves them all: the one
 * place here not scoped to a deployment). One statement, so one short transaction: on Postgres
 * `FOR UPDATE SKIP LOCKED` gives each due row to exactly one of the instances claiming at once,
 * and moving next_attempt_at to the end of the lease hides it from the others until then; a
 * claimer that dies leaves it to be claimed again once the lease has passed. SQLite runs one
 * writer at a time, so the plain statement is already exclusive.
 */
export async function claimDueDeliveries(db: Db, nowMs: number, leaseMs: number, limit: number, leaseToken: string): Promise<ClaimedDelivery[]> {
  const isPostgres = dialectOf(db) === "postgres";
  const due = db.selectFrom("webhook_deliveries").select("id").where(isPending).where("next_attempt_at", "<=", nowMs).orderBy("next_attempt_at").limit(limit);
  const rows = await db
    .updateTable("webhook_deliveries")
    .set({ next_attempt_at: nowMs + leaseMs, lease_token: leaseToken })
    .where("id", "in", isPostgres ? due.forUpdate().skipLocked() : due)
    .where(isPending)
    .returningAll()
    .execute();
  return rows.map((row) => ({ ...toDelivery(row), leaseToken }));
}

/**
 * Records an attempt's outcome, if the caller still holds the lease (another instance may have
 * claimed the delivery after a lease that ran out). Returns whether it did.
 */
export async function completeClaimedDelivery(
  db: Db,
  deploymentId: string,
  deliveryId: string,
  leaseToken: string,
  outcome: {
    status: DeliveryStatus;
    attemptCount: number;
    nextAttemptAt: number | null;
    statusCode: number | null;
    responseTimeMs: number | null;
    nowMs: number;
  },
): Promise<boolean> {
  const result = await db
    .updateTable("webhook_deliveries")
    .set({
      status: outcome.status,
      attempt_count: outcome.attemptCount,
      next_attempt_at: outcome.nextAttemptAt,
      lease_token: null,
      last_status_code: outcome.statusCode,
      last_response_time_ms: outcome.responseTimeMs,
      updated_at: outcome.nowMs,
      completed_at: outcome.status === "pending" ? null : outcome.nowMs,
    })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", deliveryId)
    .where("lease_token", "=", leaseToken)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function insertAttempt(db: Db, deploymentId: string, id: string, deliveryId: string, attempt: DeliveryAttempt): Promise<void> {
  await db
    .insertInto("webhook_delivery_attempts")
    .values({
      id,
      deployment_id: deploymentId,
      delivery_id: deliveryId,
      attempt_number: attempt.attemptNumber,
      succeeded: attempt.succeeded,
      status_code: attempt.statusCode,
      duration_ms: attempt.durationMs,
      response_body: attempt.responseBody,
      response_headers: attempt.responseHeaders === null ? null : JSON.stringify(attempt.responseHeaders),
      error: attempt.error,
      attempted_at: attempt.attemptedAt,
    })
    .execute();
}

export async function listAttempts(db: Db, deploymentId: string, deliveryId: string): Promise<DeliveryAttempt[]> {
  const rows = await db
    .selectFrom("webhook_delivery_attempts")
    .selectAll()
    .where("deployment_id", "=", deploymentId)
    .where("delivery_id", "=", deliveryId)
    .orderBy("attempt_number")
    .orderBy("id")
    .execute();
  return rows.map((row) => ({
    attemptNumber: row.attempt_number,
    succeeded: Boolean(row.succeeded),
    statusCode: row.status_code,
    durationMs: row.duration_ms,
    responseBody: row.response_body,
    responseHeaders: row.response_headers === null ? null : (JSON.parse(row.response_headers) as Record<string, string>),
    error: row.error,
    attemptedAt: row.attempted_at,
  }));
}

function filteredDeliveries(db: Db, deploymentId: string, appId: string, filter: DeliveryFilter) {
  let query = db.selectFrom("webhook_deliveries").where("deployment_id", "=", deploymentId).where("app_id", "=", appId);
  if (filter.endpointId !== undefined) query = query.where("endpoint_id", "=", filter.endpointId);
  if (filter.eventName !== undefined) query = query.where("event_type", "=", filter.eventName);
  if (filter.status !== undefined) query = query.where("status", "=", filter.status);
  if (filter.sinceMs !== undefined) query = query.where("created_at", ">=", filter.sinceMs);
  if (filter.untilMs !== undefined) query = query.where("created_at", "<=", filter.untilMs);
  return query;
}

/** Newest first. */
export async function listDeliveries(
  db: Db,
  deploymentId: string,
  appId: string,
  filter: DeliveryFilter,
  page: { limit: number; offset: number },
): Promise<{ items: WebhookDelivery[]; total: number }> {
  const base = filteredDeliveries(db, deploymentId, appId, filter);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy("created_at", "desc").orderBy("id", "desc").limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toDelivery), total: Number(count.count) };
}

export async function findDelivery(db: Db, deploymentId: string, deliveryId: string): Promise<WebhookDelivery | null> {
  const row = await db.selectFrom("webhook_deliveries").selectAll().where("deployment_id", "=", deploymentId).where("id", "=", deliveryId).executeTakeFirst();
  return row ? toDelivery(row) : null;
}

/** The ids among `deliveryIds` that are the app's deliveries. */
export async function findDeliveryIds(db: Db, deploymentId: string, appId: string, deliveryIds: string[]): Promise<string[]> {
  if (deliveryIds.length === 0) return [];
  const rows = await db
    .selectFrom("webhook_deliveries")
    .select("id")
    .where("deployment_id", "=", deploymentId)
    .where("app_id", "=", appId)
    .where("id", "in", deliveryIds)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Puts deliveries back in the queue for one more attempt, due now. A delivery a dispatcher holds
 * keeps its place: its lease token changes, so the running attempt's outcome is not recorded over it.
 */
export async function requeueDeliveries(
  db: Db,
  deploymentId: string,
  appId: string,
  selection: { ids: string[] } | DeliveryFilter,
  nowMs: number,
): Promise<number> {
  let query = db
    .updateTable("webhook_deliveries")
    .set({
      status: "pending",
      max_attempts: sql`attempt_count + 1`,
      next_attempt_at: nowMs,
      lease_token: null,
      completed_at: null,
      updated_at: nowMs,
    })
    .where("deployment_id", "=", deploymentId)
    .where("app_id", "=", appId);
  if ("ids" in selection) {
    if (selection.ids.length === 0) return 0;
    query = query.where("id", "in", selection.ids);
  } else {
    const filter = selection;
    if (filter.endpointId !== undefined) query = query.where("endpoint_id", "=", filter.endpointId);
    if (filter.eventName !== undefined) query = query.where("event_type", "=", filter.eventName);
    if (filter.status !== undefined) query = query.where("status", "=", filter.status);
    if (filter.sinceMs !== undefined) query = query.where("created_at", ">=", filter.sinceMs);
    if (filter.untilMs !== undefined) query = query.where("created_at", "<=", filter.untilMs);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deliveryStats(
  db: Db,
  deploymentId: string,
  appId: string,
  failedSinceMs: number,
): Promise<{ total: number; succeeded: number; failedSince: number }> {
  const row = await db
    .selectFrom("webhook_deliveries")
    .select((eb) => [
      eb.fn.countAll<number>().as("total"),
      eb.fn.sum<number>(eb.case().when("status", "=", "succeeded").then(1).else(0).end()).as("succeeded"),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb("status", "=", "failed"), eb("updated_at", ">=", failedSinceMs)]))
            .then(1)
            .else(0)
            .end(),
        )
        .as("failed_since"),
    ])
    .where("deployment_id", "=", deploymentId)
    .where("app_id", "=", appId)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), succeeded: Number(row.succeeded ?? 0), failedSince: Number(row.failed_since ?? 0) };
}

export async function insertReplayTask(db: Db, deploymentId: string, task: ReplayTask & { idempotencyKey: string | null; criteria: unknown }): Promise<void> {
  await db
    .insertInto("webhook_replay_tasks")
    .values({
      id: task.id,
      deployment_id: deploymentId,
      app_id: task.appId,
      idempotency_key: task.idempotencyKey,
      status: task.status,
      criteria: JSON.stringify(task.criteria),
      total_count: task.totalCount,
      processed: task.processed,
      replayed_count: task.replayedCount,
      failed_count: task.failedCount,
      created_at: task.createdAt,
      started_at: task.startedAt,
      completed_at: task.completedAt,
    })
    .execute();
}

export async function findReplayTask(db: Db, deploymentId: string, appId: string, taskId: string): Promise<ReplayTask | null> {
  const row = await db
    .selectFrom("webhook_replay_tasks")
    .selectAll()
    .where("deployment_id", "=", deploymentId)
    .where("app_id", "=", appId)
    .where("id", "=", taskId)
    .executeTakeFirst();
  return row ? toReplayTask(row) : null;
}

export async function findReplayTaskByIdempotencyKey(db: Db, deploymentId: string, appId: string, key: string): Promise<ReplayTask | null> {
  const row = await db
    .selectFrom("webhook_replay_tasks")
    .selectAll()
    .where("deployment_id", "=", deploymentId)
    .where("app_id", "=", appId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
  return row ? toReplayTask(row) : null;
}

export async function listReplayTasks(
  db: Db,
  deploymentId: string,
  appId: string,
  page: { limit: number; offset: number },
): Promise<{ items: ReplayTask[]; hasMore: boolean }> {
  const rows = await db
    .selectFrom("webhook_replay_tasks")
    .selectAll()
    .where("deployment_id", "=", deploymentId)
    .where("app_id", "=", appId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(page.limit + 1)
    .offset(page.offset)
    .execute();
  return { items: rows.slice(0, page.limit).map(toReplayTask), hasMore: rows.length > page.limit };
}
