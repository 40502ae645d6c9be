import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { appendAuditEntry, type AuditContext } from "../audit-log/audit-log.service.js";
import type { Config } from "../config.js";
import type { SecretBox } from "../crypto/secret-box.js";
import { errors } from "../errors.js";
import { generateId, randomBase32 } from "../ids.js";
import type { Db } from "../storage/db.js";
import { uniqueViolationOf } from "../storage/dialect.js";
import { isBuiltInEventType } from "./event-types.js";
import { sendWebhook, type SendResult } from "./sender.js";
import { RESERVED_HEADER_NAMES, generateSigningSecret, signatureHeaders } from "./signing.js";
import { checkEndpointUrl, refusedAddressReason } from "./url-safety.js";
import { insertDeliveries, insertEvent } from "./webhook-deliveries.storage.js";
import {
  countActiveEndpoints,
  deleteApp,
  deleteEndpoint,
  findApp,
  findAppBySlug,
  findEndpoint,
  findSigningSecrets,
  insertApp,
  insertEndpoint,
  listApps,
  listEndpoints,
  listSubscribedEndpoints,
  reactivateEndpointRow,
  replaceSubscriptions,
  updateApp,
  updateEndpoint,
  updateSigningSecrets,
  type EndpointInput,
  type RateLimitConfig,
  type WebhookApp,
  type WebhookEndpoint,
} from "./webhooks.storage.js";

export type { WebhookApp, WebhookEndpoint };

/** What the webhook services need besides the database: settings, and the box secrets are sealed in. */
export interface WebhookSettings {
  config: Config;
  secretBox: SecretBox;
}

const secretContext = (appId: string, which: "signing_secret" | "previous_signing_secret") => `webhook_apps.${which}:${appId}`;

const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const EVENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const MAX_CUSTOM_HEADERS = 20;
const MAX_SUBSCRIPTIONS = 100;

// ---------------------------------------------------------------- apps

export interface CreateAppInput {
  slug?: string;
  name: string;
  description?: string;
  failureNotificationEmails?: string[];
  eventCatalogSlug?: string;
}

export interface UpdateAppInput {
  name?: string;
  description?: string;
  isActive?: boolean;
  failureNotificationEmails?: string[];
  eventCatalogSlug?: string;
}

/** The app and its signing secrets in clear, for the API answer (the receiver needs the secret to verify). */
export interface WebhookAppWithSecret {
  app: WebhookApp;
  signingSecret: string;
}

function refuseEventCatalog(slug: string | undefined): void {
  // Event catalogs are not served yet (their routes answer 501): an app cannot point at one.
  if (slug !== undefined) throw errors.webhook_event_catalogs_unsupported();
}

const slugFromName = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48) || "app";

export async function createWebhookApp(
  db: Db,
  deploymentId: string,
  settings: WebhookSettings,
  context: AuditContext,
  input: CreateAppInput,
): Promise<WebhookAppWithSecret> {
  if (input.slug !== undefined && !SLUG_PATTERN.test(input.slug)) {
    throw errors.validation_failed({ ["app_slug"]: "must be 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit" });
  }
  refuseEventCatalog(input.eventCatalogSlug);
  const signingSecret = generateSigningSecret();
  const now = Date.now();
  // A slug derived from the name gets a random suffix when taken; a slug the caller chose is theirs or a 409.
  for (let attempt = 0; ; attempt++) {
    const slug = input.slug ?? (attempt === 0 ? slugFromName(input.name) : `${slugFromName(input.name)}-${randomBase32(6)}`);
    const id = generateId("wha", now);
    try {
      await db.transaction().execute(async (trx) => {
        await insertApp(
          trx,
          deploymentId,
          id,
          {
            slug,
            name: input.name,
            description: input.description ?? null,
            failureNotificationEmails: input.failureNotificationEmails ?? [],
            eventCatalogSlug: null,
            isActive: true,
          },
          settings.secretBox.seal(signingSecret, secretContext(id, "signing_secret")),
          now,
        );
        await appendAuditEntry(trx, deploymentId, context, {
          action: "webhook_app.create",
          target: { type: "webhook_app", id },
          changes: ["app_slug", "name", "description", "failure_notification_emails", "signing_secret"],
        });
      });
      return { app: (await findApp(db, deploymentId, id))!, signingSecret };
    } catch (error) {
      if (uniqueViolationOf(error) === null) throw error;
      if (input.slug !== undefined || attempt >= 3) throw errors.webhook_app_slug_taken(slug);
    }
  }
}

export async function getWebhookApp(db: Db, deploymentId: string, slug: string): Promise<WebhookApp> {
  const app = await findAppBySlug(db, deploymentId, slug);
  if (!app) throw errors.webhook_app_not_found(slug);
  return app;
}

/** The secrets that sign right now: the current one, and the previous one during the day after a rotation. */
export async function activeSigningSecrets(db: Db, deploymentId: string, secretBox: SecretBox, appId: string, nowMs = Date.now()): Promise<string[]> {
  const sealed = await findSigningSecrets(db, deploymentId, appId);
  if (!sealed) return [];
  const secrets = [secretBox.open(sealed.current, secretContext(appId, "signing_secret"))];
  if (sealed.previous && sealed.previousExpiresAt !== null && sealed.previousExpiresAt > nowMs) {
    secrets.push(secretBox.open(sealed.previous, secretContext(appId, "previous_signing_secret")));
  }
  return secrets;
}

export async function getWebhookAppWithSecret(db: Db, deploymentId: string, secretBox: SecretBox, slug: string): Promise<WebhookAppWithSecret> {
  const app = await getWebhookApp(db, deploymentId, slug);
  const [signingSecret] = await activeSigningSecrets(db, deploymentId, secretBox, app.id);
  return { app, signingSecret: signingSecret! };
}

export async function listWebhookApps(db: Db, deploymentId: string, secretBox: SecretBox, page: { limit: number; offset: number; includeInactive: boolean }) {
  const { items, total } = await listApps(db, deploymentId, page);
  const withSecrets = await Promise.all(
    items.map(async (app) => ({ app, signingSecret: (await activeSigningSecrets(db, deploymentId, secretBox, app.id))[0]! })),
  );
  return { items: withSecrets, total };
}

export async function updateWebhookApp(
  db: Db,
  deploymentId: string,
  secretBox: SecretBox,
  context: AuditContext,
  slug: string,
  input: UpdateAppInput,
): Promise<WebhookAppWithSecret> {
  refuseEventCatalog(input.eventCatalogSlug);
  const app = await getWebhookApp(db, deploymentId, slug);
  const changes = Object.entries({
    name: input.name,
    description: input.description,
    is_active: input.isActive,
    failure_notification_emails: input.failureNotificationEmails,
  })
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field);
  await db.transaction().execute(async (trx) => {
    await updateApp(trx, deploymentId, app.id, input, Date.now());
    await appendAuditEntry(trx, deploymentId, context, { action: "webhook_app.update", target: { type: "webhook_app", id: app.id }, changes });
  });
  return getWebhookAppWithSecret(db, deploymentId, secretBox, slug);
}

export async function deleteWebhookApp(db: Db, deploymentId: string, context: AuditContext, slug: string): Promise<void> {
  const app = await getWebhookApp(db, deploymentId, slug);
  await db.transaction().execute(async (trx) => {
    await deleteApp(trx, deploymentId, app.id);
    await appendAuditEntry(trx, deploymentId, context, { action: "webhook_app.delete", target: { type: "webhook_app", id: app.id } });
  });
}

/**
 * A new signing secret. The old one keeps signing next to it (two signatures per request) for
 * `webhookPreviousSecretTtlMs`, so receivers can switch without missing an event.
 */
export async function rotateWebhookSecret(
  db: Db,
  deploymentId: string,
  settings: WebhookSettings,
  context: AuditContext,
  slug: string,
): Promise<WebhookAppWithSecret> {
  const app = await getWebhookApp(db, deploymentId, slug);
  const now = Date.now();
  const signingSecret = generateSigningSecret();
  await db.transaction().execute(async (trx) => {
    const [current] = await activeSigningSecrets(trx, deploymentId, settings.secretBox, app.id, now);
    await updateSigningSecrets(
      trx,
      deploymentId,
      app.id,
      {
        current: settings.secretBox.seal(signingSecret, secretContext(app.id, "signing_secret")),
        previous: settings.secretBox.seal(current!, secretContext(app.id, "previous_signing_secret")),
        previousExpiresAt: now + settings.config.webhookPreviousSecretTtlMs,
      },
      now,
    );
    await appendAuditEntry(trx, deploymentId, context, {
      action: "webhook_app.rotate_secret",
      target: { type: "webhook_app", id: app.id },
      changes: ["signing_secret"],
    });
  });
  return { app: (await findApp(db, deploymentId, app.id))!, signingSecret };
}

// ---------------------------------------------------------------- endpoints

export interface EndpointFields {
  url?: string;
  description?: string;
  headers?: Record<string, string>;
  isActive?: boolean;
  subscriptions?: Array<{ event_name: string; filter_rules?: Record<string, unknown> | null }>;
  maxRetries?: number;
  timeoutSeconds?: number;
  rateLimitConfig?: RateLimitConfig | null;
}

async function checkUrl(url: string, allowPrivateNetworks: boolean): Promise<void> {
  const problem = checkEndpointUrl(url, allowPrivateNetworks);
  if (problem) throw errors.webhook_url_refused(problem);
  if (allowPrivateNetworks) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return;
  // A name is resolved now as well as before every delivery; one that does not resolve yet may later.
  const addresses = await lookup(host, { all: true }).catch(() => []);
  for (const { address } of addresses) {
    const reason = refusedAddressReason(address);
    if (reason) throw errors.webhook_url_refused(`must not point at a private network: ${host} ${reason}`);
  }
}

function checkHeaders(headers: Record<string, string>): void {
  const entries = Object.entries(headers);
  if (entries.length > MAX_CUSTOM_HEADERS) throw errors.validation_failed({ ["headers"]: `at most ${MAX_CUSTOM_HEADERS} headers` });
  for (const [name, value] of entries) {
    if (!HEADER_NAME_PATTERN.test(name)) throw errors.validation_failed({ ["headers"]: `'${name}' is not a valid header name` });
    if (RESERVED_HEADER_NAMES.has(name.toLowerCase())) throw errors.webhook_header_reserved(name);
    if (/[\r\n\0]/.test(value) || value.length > 4096)
      throw errors.validation_failed({ ["headers"]: `the value of '${name}' must be one line of at most 4096 characters` });
  }
}

function checkSubscriptions(subscriptions: NonNullable<EndpointFields["subscriptions"]>): string[] {
  if (subscriptions.length > MAX_SUBSCRIPTIONS) throw errors.validation_failed({ ["subscriptions"]: `at most ${MAX_SUBSCRIPTIONS} event names` });
  return subscriptions.map((subscription, index) => {
    if (!EVENT_NAME_PATTERN.test(subscription.event_name))
      throw errors.validation_failed({ [`subscriptions[${index}].event_name`]: "must be an event name such as user.created" });
    if (subscription.filter_rules !== undefined && subscription.filter_rules !== null) {
      throw errors.webhook_filter_rules_unsupported(`subscriptions[${index}].filter_rules`);
    }
    return subscription.event_name;
  });
}

function checkUnsupportedRateLimit(rateLimitConfig: RateLimitConfig | null | undefined): void {
  // Deliveries are not rate limited per endpoint yet; accepting the setting would promise what is not done.
  if (rateLimitConfig !== undefined && rateLimitConfig !== null) throw errors.webhook_rate_limit_unsupported();
}

export async function createWebhookEndpoint(
  db: Db,
  deploymentId: string,
  config: Config,
  context: AuditContext,
  slug: string,
  fields: EndpointFields & { url: string },
): Promise<WebhookEndpoint> {
  const app = await getWebhookApp(db, deploymentId, slug);
  await checkUrl(fields.url, config.webhookAllowPrivateNetworks);
  checkHeaders(fields.headers ?? {});
  checkUnsupportedRateLimit(fields.rateLimitConfig);
  const eventNames = checkSubscriptions(fields.subscriptions ?? []);
  const input: EndpointInput = {
    url: fields.url,
    description: fields.description ?? null,
    headers: fields.headers ?? {},
    isActive: fields.isActive ?? true,
    maxRetries: fields.maxRetries ?? config.webhookRetryScheduleMs.length,
    timeoutSeconds: fields.timeoutSeconds ?? config.webhookTimeoutSeconds,
    rateLimitConfig: null,
  };
  const now = Date.now();
  const id = generateId("whe", now);
  await db.transaction().execute(async (trx) => {
    await insertEndpoint(trx, deploymentId, app.id, id, input, eventNames, now);
    await appendAuditEntry(trx, deploymentId, context, {
      action: "webhook_endpoint.create",
      target: { type: "webhook_endpoint", id },
      changes: ["url", "description", "headers", "subscriptions", "max_retries", "timeout_seconds"],
    });
  });
  return (await findEndpoint(db, deploymentId, id))!;
}

export async function getWebhookEndpoint(
  db: Db,
  deploymentId: string,
  slug: string,
  endpointId: string,
): Promise<{ app: WebhookApp; endpoint: WebhookEndpoint }> {
  const app = await getWebhookApp(db, deploymentId, slug);
  const endpoint = await findEndpoint(db, deploymentId, endpointId);
  if (!endpoint || endpoint.appId !== app.id) throw errors.webhook_endpoint_not_found(endpointId);
  return { app, endpoint };
}

export async function listWebhookEndpoints(db: Db, deploymentId: string, slug: string, page: { limit: number; offset: number; includeInactive: boolean }) {
  const app = await getWebhookApp(db, deploymentId, slug);
  return { app, ...(await listEndpoints(db, deploymentId, app.id, page)) };
}

export async function updateWebhookEndpoint(
  db: Db,
  deploymentId: string,
  config: Config,
  context: AuditContext,
  slug: string,
  endpointId: string,
  fields: EndpointFields,
): Promise<WebhookEndpoint> {
  const { endpoint } = await getWebhookEndpoint(db, deploymentId, slug, endpointId);
  if (fields.url !== undefined) await checkUrl(fields.url, config.webhookAllowPrivateNetworks);
  if (fields.headers !== undefined) checkHeaders(fields.headers);
  checkUnsupportedRateLimit(fields.rateLimitConfig);
  const eventNames = fields.subscriptions === undefined ? undefined : checkSubscriptions(fields.subscriptions);
  const changes = Object.entries({
    url: fields.url,
    description: fields.description,
    headers: fields.headers,
    is_active: fields.isActive,
    subscriptions: fields.subscriptions,
    max_retries: fields.maxRetries,
    timeout_seconds: fields.timeoutSeconds,
  })
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field);
  await db.transaction().execute(async (trx) => {
    const { rateLimitConfig: _ignored, subscriptions: _subscriptions, ...rest } = fields;
    await updateEndpoint(trx, deploymentId, endpoint.id, rest, Date.now());
    if (eventNames !== undefined) await replaceSubscriptions(trx, deploymentId, endpoint.id, eventNames);
    await appendAuditEntry(trx, deploymentId, context, { action: "webhook_endpoint.update", target: { type: "webhook_endpoint", id: endpoint.id }, changes });
  });
  return (await findEndpoint(db, deploymentId, endpoint.id))!;
}

export async function deleteWebhookEndpoint(db: Db, deploymentId: string, context: AuditContext, slug: string, endpointId: string): Promise<void> {
  const { endpoint } = await getWebhookEndpoint(db, deploymentId, slug, endpointId);
  await db.transaction().execute(async (trx) => {
    await deleteEndpoint(trx, deploymentId, endpoint.id);
    await appendAuditEntry(trx, deploymentId, context, { action: "webhook_endpoint.delete", target: { type: "webhook_endpoint", id: endpoint.id } });
  });
}

/** Brings back an endpoint that was disabled, automatically after failing for days or by hand. */
export async function reactivateWebhookEndpoint(db: Db, deploymentId: string, context: AuditContext, endpointId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await reactivateEndpointRow(trx, deploymentId, endpointId, Date.now()))) throw errors.webhook_endpoint_not_found(endpointId);
    await appendAuditEntry(trx, deploymentId, context, {
      action: "webhook_endpoint.reactivate",
      target: { type: "webhook_endpoint", id: endpointId },
      changes: ["is_active", "auto_disabled"],
    });
  });
}

export async function countActiveWebhookEndpoints(db: Db, deploymentId: string, appId: string): Promise<number> {
  return countActiveEndpoints(db, deploymentId, appId);
}

export { findEndpoint as findWebhookEndpoint };

// ---------------------------------------------------------------- the outbox

/** An event for the outbox: `data` is the resource exactly as the Backend API answers it (never a secret). */
export interface OutboxEvent {
  type: string;
  data: unknown;
}

/** The exact body every endpoint receives for an event. */
export const eventPayload = (type: string, deploymentId: string, data: unknown, nowMs: number) =>
  JSON.stringify({ type, timestamp: new Date(nowMs).toISOString(), deployment_id: deploymentId, data });

/**
 * Writes events and one delivery per subscribed endpoint. Call it with the transaction that makes
 * the change: the events commit with it or not at all, and the dispatcher only ever sees committed
 * rows. Built-in events go to every app of the deployment; `appId` limits them to one app (its own
 * events, sent with trigger). Returns the delivery ids.
 */
export async function enqueueEvents(trx: Db, deploymentId: string, events: OutboxEvent[], options: { appId?: string; nowMs?: number } = {}): Promise<string[]> {
  const now = options.nowMs ?? Date.now();
  const deliveryIds: string[] = [];
  for (const event of events) {
    const eventId = generateId("evt", now);
    await insertEvent(trx, deploymentId, {
      id: eventId,
      appId: options.appId ?? null,
      eventType: event.type,
      payload: eventPayload(event.type, deploymentId, event.data, now),
      createdAt: now,
    });
    const endpoints = await listSubscribedEndpoints(trx, deploymentId, event.type, options.appId ?? null);
    const deliveries = endpoints.map((endpoint) => ({
      id: generateId("whd", now),
      appId: endpoint.appId,
      endpointId: endpoint.endpointId,
      eventId,
      eventType: event.type,
      maxAttempts: endpoint.maxRetries + 1,
    }));
    await insertDeliveries(trx, deploymentId, deliveries, now);
    deliveryIds.push(...deliveries.map((delivery) => delivery.id));
  }
  return deliveryIds;
}

/** An app's own event, to that app's endpoints subscribed to its name. Built-in names are Wacht's alone. */
export async function triggerWebhookEvent(
  db: Db,
  deploymentId: string,
  context: AuditContext,
  slug: string,
  input: { eventName: string; payload: Record<string, unknown> },
): Promise<{ deliveryIds: string[] }> {
  if (!EVENT_NAME_PATTERN.test(input.eventName)) throw errors.validation_failed({ ["event_name"]: "must be an event name such as invoice.paid" });
  if (isBuiltInEventType(input.eventName)) {
    throw errors.webhook_event_reserved(input.eventName);
  }
  const app = await getWebhookApp(db, deploymentId, slug);
  if (!app.isActive) throw errors.webhook_app_inactive(slug);
  return db.transaction().execute(async (trx) => {
    const deliveryIds = await enqueueEvents(trx, deploymentId, [{ type: input.eventName, data: input.payload }], { appId: app.id });
    await appendAuditEntry(trx, deploymentId, context, { action: "webhook_event.trigger", target: { type: "webhook_app", id: app.id }, changes: [] });
    return { deliveryIds };
  });
}

/** Sends one signed request to an endpoint now and answers what happened; nothing is queued or retried. */
export async function testWebhookEndpoint(
  db: Db,
  deploymentId: string,
  settings: WebhookSettings,
  slug: string,
  endpointId: string,
  input: { eventName: string; payload?: Record<string, unknown> },
): Promise<SendResult> {
  const { app, endpoint } = await getWebhookEndpoint(db, deploymentId, slug, endpointId);
  if (!EVENT_NAME_PATTERN.test(input.eventName)) throw errors.validation_failed({ ["event_name"]: "must be an event name such as user.created" });
  const now = Date.now();
  const body = eventPayload(input.eventName, deploymentId, input.payload ?? {}, now);
  const secrets = await activeSigningSecrets(db, deploymentId, settings.secretBox, app.id, now);
  return sendWebhook({
    url: endpoint.url,
    headers: { ...endpoint.headers, ...signatureHeaders(secrets, generateId("evt", now), Math.floor(now / 1000), body) },
    body,
    timeoutMs: endpoint.timeoutSeconds * 1000,
    allowPrivateNetworks: settings.config.webhookAllowPrivateNetworks,
  });
}
