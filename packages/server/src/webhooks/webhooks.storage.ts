import { sql } from "kysely";
import type { Db } from "../storage/db.js";
import { reusableQuery } from "../storage/reusable-query.js";
import type { WebhookAppRow, WebhookEndpointRow } from "../storage/tables.js";

// Owns webhook_apps, webhook_endpoints and webhook_subscriptions.

export interface WebhookApp {
  id: string;
  deploymentId: string;
  slug: string;
  name: string;
  description: string | null;
  failureNotificationEmails: string[];
  eventCatalogSlug: string | null;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
}

/** The sealed signing secrets: a confidential read, apart from the app itself. */
export interface SealedSigningSecrets {
  current: string;
  previous: string | null;
  previousExpiresAt: number | null;
}

export interface RateLimitConfig {
  duration_ms: number;
  max_requests: number;
}

export interface WebhookEndpoint {
  id: string;
  deploymentId: string;
  appId: string;
  url: string;
  description: string | null;
  headers: Record<string, string>;
  isActive: boolean;
  maxRetries: number;
  timeoutSeconds: number;
  rateLimitConfig: RateLimitConfig | null;
  failureCount: number;
  failingSince: number | null;
  lastFailureAt: number | null;
  autoDisabled: boolean;
  autoDisabledAt: number | null;
  createdAt: number;
  updatedAt: number;
  subscriptions: string[];
}

export interface AppInput {
  slug: string;
  name: string;
  description: string | null;
  failureNotificationEmails: string[];
  eventCatalogSlug: string | null;
  isActive: boolean;
}

export interface EndpointInput {
  url: string;
  description: string | null;
  headers: Record<string, string>;
  isActive: boolean;
  maxRetries: number;
  timeoutSeconds: number;
  rateLimitConfig: RateLimitConfig | null;
}

const appColumns = [
  "id",
  "deployment_id",
  "app_slug",
  "name",
  "description",
  "failure_notification_emails",
  "event_catalog_slug",
  "is_active",
  "created_at",
  "updated_at",
] as const;

const toWebhookApp = (row: Pick<WebhookAppRow, (typeof appColumns)[number]>): WebhookApp => ({
  id: row.id,
  deploymentId: row.deployment_id,
  slug: row.app_slug,
  name: row.name,
  description: row.description,
  failureNotificationEmails: JSON.parse(row.failure_notification_emails) as string[],
  eventCatalogSlug: row.event_catalog_slug,
  isActive: Boolean(row.is_active),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toWebhookEndpoint = (row: WebhookEndpointRow, subscriptions: string[]): WebhookEndpoint => ({
  id: row.id,
  deploymentId: row.deployment_id,
  appId: row.app_id,
  url: row.url,
  description: row.description,
  headers: JSON.parse(row.headers) as Record<string, string>,
  isActive: Boolean(row.is_active),
  maxRetries: row.max_retries,
  timeoutSeconds: row.timeout_seconds,
  rateLimitConfig: row.rate_limit_config === null ? null : (JSON.parse(row.rate_limit_config) as RateLimitConfig),
  failureCount: row.failure_count,
  failingSince: row.failing_since,
  lastFailureAt: row.last_failure_at,
  autoDisabled: Boolean(row.auto_disabled),
  autoDisabledAt: row.auto_disabled_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  subscriptions,
});

const appValues = (input: Partial<AppInput>) => ({
  ...(input.slug !== undefined && { app_slug: input.slug }),
  ...(input.name !== undefined && { name: input.name }),
  ...(input.description !== undefined && { description: input.description }),
  ...(input.failureNotificationEmails !== undefined && { failure_notification_emails: JSON.stringify(input.failureNotificationEmails) }),
  ...(input.eventCatalogSlug !== undefined && { event_catalog_slug: input.eventCatalogSlug }),
  ...(input.isActive !== undefined && { is_active: input.isActive }),
});

export async function insertApp(db: Db, deploymentId: string, id: string, input: AppInput, sealedSecret: string, nowMs: number): Promise<void> {
  await db
    .insertInto("webhook_apps")
    .values({
      id,
      deployment_id: deploymentId,
      app_slug: input.slug,
      name: input.name,
      description: input.description,
      failure_notification_emails: JSON.stringify(input.failureNotificationEmails),
      event_catalog_slug: input.eventCatalogSlug,
      is_active: input.isActive,
      signing_secret_sealed: sealedSecret,
      previous_signing_secret_sealed: null,
      previous_signing_secret_expires_at: null,
      created_at: nowMs,
      updated_at: nowMs,
    })
    .execute();
}

export async function findAppBySlug(db: Db, deploymentId: string, slug: string): Promise<WebhookApp | null> {
  const row = await db.selectFrom("webhook_apps").select(appColumns).where("deployment_id", "=", deploymentId).where("app_slug", "=", slug).executeTakeFirst();
  return row ? toWebhookApp(row) : null;
}

export async function findApp(db: Db, deploymentId: string, appId: string): Promise<WebhookApp | null> {
  const row = await db.selectFrom("webhook_apps").select(appColumns).where("deployment_id", "=", deploymentId).where("id", "=", appId).executeTakeFirst();
  return row ? toWebhookApp(row) : null;
}

export async function listApps(
  db: Db,
  deploymentId: string,
  page: { limit: number; offset: number; includeInactive: boolean },
): Promise<{ items: WebhookApp[]; total: number }> {
  let base = db.selectFrom("webhook_apps").where("deployment_id", "=", deploymentId);
  if (!page.includeInactive) base = base.where("is_active", "=", true);
  const [rows, count] = await Promise.all([
    base.select(appColumns).orderBy("created_at").orderBy("id").limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toWebhookApp), total: Number(count.count) };
}

export async function updateApp(db: Db, deploymentId: string, appId: string, input: Partial<AppInput>, nowMs: number): Promise<void> {
  await db
    .updateTable("webhook_apps")
    .set({ ...appValues(input), updated_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", appId)
    .execute();
}

export async function deleteApp(db: Db, deploymentId: string, appId: string): Promise<boolean> {
  const result = await db.deleteFrom("webhook_apps").where("deployment_id", "=", deploymentId).where("id", "=", appId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findSigningSecrets(db: Db, deploymentId: string, appId: string): Promise<SealedSigningSecrets | null> {
  const row = await db
    .selectFrom("webhook_apps")
    .select(["signing_secret_sealed", "previous_signing_secret_sealed", "previous_signing_secret_expires_at"])
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", appId)
    .executeTakeFirst();
  return row
    ? { current: row.signing_secret_sealed, previous: row.previous_signing_secret_sealed, previousExpiresAt: row.previous_signing_secret_expires_at }
    : null;
}

export async function updateSigningSecrets(db: Db, deploymentId: string, appId: string, secrets: SealedSigningSecrets, nowMs: number): Promise<void> {
  await db
    .updateTable("webhook_apps")
    .set({
      signing_secret_sealed: secrets.current,
      previous_signing_secret_sealed: secrets.previous,
      previous_signing_secret_expires_at: secrets.previousExpiresAt,
      updated_at: nowMs,
    })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", appId)
    .execute();
}

async function subscriptionsOf(db: Db, deploymentId: string, endpointIds: string[]): Promise<Map<string, string[]>> {
  const byEndpoint = new Map<string, string[]>(endpointIds.map((id) => [id, []]));
  if (endpointIds.length === 0) return byEndpoint;
  const rows = await db
    .selectFrom("webhook_subscriptions")
    .select(["endpoint_id", "event_name"])
    .where("deployment_id", "=", deploymentId)
    .where("endpoint_id", "in", endpointIds)
    .orderBy("event_name")
    .execute();
  for (const row of rows) byEndpoint.get(row.endpoint_id)?.push(row.event_name);
  return byEndpoint;
}

export async function insertEndpoint(
  db: Db,
  deploymentId: string,
  appId: string,
  id: string,
  input: EndpointInput,
  subscriptions: string[],
  nowMs: number,
): Promise<void> {
  await db
    .insertInto("webhook_endpoints")
    .values({
      id,
      deployment_id: deploymentId,
      app_id: appId,
      url: input.url,
      description: input.description,
      headers: JSON.stringify(input.headers),
      is_active: input.isActive,
      max_retries: input.maxRetries,
      timeout_seconds: input.timeoutSeconds,
      rate_limit_config: input.rateLimitConfig === null ? null : JSON.stringify(input.rateLimitConfig),
      failure_count: 0,
      failing_since: null,
      last_failure_at: null,
      auto_disabled: false,
      auto_disabled_at: null,
      created_at: nowMs,
      updated_at: nowMs,
    })
    .execute();
  await replaceSubscriptions(db, deploymentId, id, subscriptions);
}

export async function replaceSubscriptions(db: Db, deploymentId: string, endpointId: string, eventNames: string[]): Promise<void> {
  await db.deleteFrom("webhook_subscriptions").where("deployment_id", "=", deploymentId).where("endpoint_id", "=", endpointId).execute();
  if (eventNames.length === 0) return;
  await db
    .insertInto("webhook_subscriptions")
    .values([...new Set(eventNames)].map((eventName) => ({ deployment_id: deploymentId, endpoint_id: endpointId, event_name: eventName })))
    .execute();
}

export async function updateEndpoint(db: Db, deploymentId: string, endpointId: string, input: Partial<EndpointInput>, nowMs: number): Promise<void> {
  await db
    .updateTable("webhook_endpoints")
    .set({
      ...(input.url !== undefined && { url: input.url }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.headers !== undefined && { headers: JSON.stringify(input.headers) }),
      ...(input.isActive !== undefined && { is_active: input.isActive }),
      ...(input.maxRetries !== undefined && { max_retries: input.maxRetries }),
      ...(input.timeoutSeconds !== undefined && { timeout_seconds: input.timeoutSeconds }),
      ...(input.rateLimitConfig !== undefined && { rate_limit_config: input.rateLimitConfig === null ? null : JSON.stringify(input.rateLimitConfig) }),
      updated_at: nowMs,
    })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", endpointId)
    .execute();
}

export async function deleteEndpoint(db: Db, deploymentId: string, endpointId: string): Promise<boolean> {
  const result = await db.deleteFrom("webhook_endpoints").where("deployment_id", "=", deploymentId).where("id", "=", endpointId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findEndpoint(db: Db, deploymentId: string, endpointId: string): Promise<WebhookEndpoint | null> {
  const row = await db.selectFrom("webhook_endpoints").selectAll().where("deployment_id", "=", deploymentId).where("id", "=", endpointId).executeTakeFirst();
  if (!row) return null;
  return toWebhookEndpoint(row, (await subscriptionsOf(db, deploymentId, [row.id])).get(row.id)!);
}

export async function listEndpoints(
  db: Db,
  deploymentId: string,
  appId: string,
  page: { limit: number; offset: number; includeInactive: boolean },
): Promise<{ items: WebhookEndpoint[]; total: number }> {
  let base = db.selectFrom("webhook_endpoints").where("deployment_id", "=", deploymentId).where("app_id", "=", appId);
  if (!page.includeInactive) base = base.where("is_active", "=", true).where("auto_disabled", "=", false);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy("created_at").orderBy("id").limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow(),
  ]);
  const subscriptions = await subscriptionsOf(
    db,
    deploymentId,
    rows.map((row) => row.id),
  );
  return { items: rows.map((row) => toWebhookEndpoint(row, subscriptions.get(row.id)!)), total: Number(count.count) };
}

export async function countActiveEndpoints(db: Db, deploymentId: string, appId: string): Promise<number> {
  const row = await db
    .selectFrom("webhook_endpoints")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("deployment_id", "=", deploymentId)
    .where("app_id", "=", appId)
    .where("is_active", "=", true)
    .where("auto_disabled", "=", false)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Endpoints that receive `eventName` now: subscribed, enabled, of an active app (of `appId` only, for an app's own events). */
function subscribedEndpointsQuery(db: Db, deploymentId: string, eventName: string) {
  return db
    .selectFrom("webhook_subscriptions as s")
    .innerJoin("webhook_endpoints as e", "e.id", "s.endpoint_id")
    .innerJoin("webhook_apps as a", "a.id", "e.app_id")
    .select(["e.id as endpointId", "e.app_id as appId", "e.max_retries as maxRetries"])
    .where("s.deployment_id", "=", deploymentId)
    .where("s.event_name", "=", eventName)
    .where("e.is_active", "=", true)
    .where("e.auto_disabled", "=", false)
    .where("a.is_active", "=", true);
}

// Read by every change that sends a built-in event: compiled once per dialect (storage/reusable-query.ts).
const selectSubscribedEndpoints = reusableQuery(2, (db: Db, deploymentId: string, eventName: string) =>
  subscribedEndpointsQuery(db, deploymentId, eventName).orderBy("e.id"),
);

export async function listSubscribedEndpoints(
  db: Db,
  deploymentId: string,
  eventName: string,
  appId: string | null,
): Promise<Array<{ endpointId: string; appId: string; maxRetries: number }>> {
  if (appId === null) return selectSubscribedEndpoints(db, deploymentId, eventName);
  return subscribedEndpointsQuery(db, deploymentId, eventName).where("e.app_id", "=", appId).orderBy("e.id").execute();
}

export async function recordEndpointSuccess(db: Db, deploymentId: string, endpointId: string): Promise<void> {
  await db
    .updateTable("webhook_endpoints")
    .set({ failure_count: 0, failing_since: null })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", endpointId)
    .where("failure_count", ">", 0)
    .execute();
}

/**
 * Counts a failed attempt; an endpoint that has been failing (with no success in between) for
 * `disableAfterMs` is disabled. Returns whether this failure disabled it.
 */
export async function recordEndpointFailure(db: Db, deploymentId: string, endpointId: string, nowMs: number, disableAfterMs: number): Promise<boolean> {
  await db
    .updateTable("webhook_endpoints")
    .set({
      failure_count: sql`failure_count + 1`,
      failing_since: sql`COALESCE(failing_since, ${nowMs})`,
      last_failure_at: nowMs,
    })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", endpointId)
    .execute();
  const result = await db
    .updateTable("webhook_endpoints")
    .set({ auto_disabled: true, auto_disabled_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", endpointId)
    .where("auto_disabled", "=", false)
    .where("failing_since", "<=", nowMs - disableAfterMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function reactivateEndpointRow(db: Db, deploymentId: string, endpointId: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable("webhook_endpoints")
    .set({ is_active: true, auto_disabled: false, auto_disabled_at: null, failure_count: 0, failing_since: null, updated_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", endpointId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
