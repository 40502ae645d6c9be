import { Type, type Static } from "typebox";
import { Nullable, Timestamp, toNullableTimestamp, toTimestamp } from "../http/common.schemas.js";
import type { SendResult } from "./sender.js";
import type { DeliveryAttempt, ReplayTask, WebhookDelivery } from "./webhook-deliveries.service.js";
import type { WebhookApp, WebhookEndpoint } from "./webhooks.service.js";

// The shapes of the published @wacht/backend client's `webhooks` namespace (1.0.0-beta.20).

const Slug = Type.String({ minLength: 1, maxLength: 64 });
const EventName = Type.String({ minLength: 1, maxLength: 128 });
const JsonObject = Type.Record(Type.String(), Type.Unknown());
const Headers = Type.Record(Type.String(), Type.String(), { description: "Sent with every request; cannot set webhook-*, content-type, host and similar" });
const RateLimitConfig = Type.Object({ duration_ms: Type.Integer(), max_requests: Type.Integer() });
const Subscription = Type.Object({ event_name: EventName, filter_rules: Type.Optional(Nullable(JsonObject)) }, { additionalProperties: false });
// Checked and parsed by parseDateParameter in the routes: our validator has no date-time format.
const DateText = Type.String({ minLength: 1, maxLength: 64, description: "RFC 3339 date-time" });
const Emails = Type.Array(Type.String({ pattern: "^[^@\\s]+@[^@\\s]+$", maxLength: 320 }), { maxItems: 20 });

export const WebhookAppSchema = Type.Object(
  {
    deployment_id: Type.String(),
    app_slug: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    signing_secret: Type.String({ description: "whsec_…: verify every request with it (Standard Webhooks)" }),
    failure_notification_emails: Type.Array(Type.String()),
    event_catalog_slug: Nullable(Type.String()),
    is_active: Type.Boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false },
);

const page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ data: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(), has_more: Type.Boolean() });

export const WebhookAppPageSchema = page(WebhookAppSchema);

export const CreateWebhookAppBodySchema = Type.Object(
  {
    app_slug: Type.Optional(Slug),
    name: Type.String({ minLength: 1, maxLength: 256 }),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    failure_notification_emails: Type.Optional(Emails),
    event_catalog_slug: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type CreateWebhookAppBody = Static<typeof CreateWebhookAppBodySchema>;

export const UpdateWebhookAppBodySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    is_active: Type.Optional(Type.Boolean()),
    failure_notification_emails: Type.Optional(Emails),
    event_catalog_slug: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const WebhookEndpointSchema = Type.Object(
  {
    id: Type.String(),
    deployment_id: Type.String(),
    app_slug: Type.String(),
    url: Type.String(),
    description: Nullable(Type.String()),
    headers: Headers,
    is_active: Type.Boolean(),
    max_retries: Type.Integer(),
    timeout_seconds: Type.Integer(),
    failure_count: Type.Integer({ description: "Failed attempts since the last success" }),
    last_failure_at: Nullable(Timestamp),
    auto_disabled: Type.Boolean(),
    auto_disabled_at: Nullable(Timestamp),
    rate_limit_config: Nullable(RateLimitConfig),
    created_at: Timestamp,
    updated_at: Timestamp,
    subscriptions: Type.Array(Type.Object({ event_name: Type.String(), filter_rules: Type.Null() })),
  },
  { additionalProperties: false },
);

export const WebhookEndpointPageSchema = page(WebhookEndpointSchema);

const endpointFields = {
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  headers: Type.Optional(Headers),
  max_retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
  timeout_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
  rate_limit_config: Type.Optional(Nullable(RateLimitConfig)),
};

export const CreateWebhookEndpointBodySchema = Type.Object(
  {
    ...endpointFields,
    subscriptions: Type.Array(Subscription, { maxItems: 100 }),
    is_active: Type.Optional(Type.Boolean()),
    // The published client repeats the path's slug in the body.
    app_slug: Type.Optional(Slug),
  },
  { additionalProperties: false },
);
export type CreateWebhookEndpointBody = Static<typeof CreateWebhookEndpointBodySchema>;

export const UpdateWebhookEndpointBodySchema = Type.Object(
  {
    ...endpointFields,
    url: Type.Optional(endpointFields.url),
    is_active: Type.Optional(Type.Boolean()),
    subscriptions: Type.Optional(Type.Array(Subscription, { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type UpdateWebhookEndpointBody = Static<typeof UpdateWebhookEndpointBodySchema>;

export const TriggerWebhookBodySchema = Type.Object(
  {
    app_slug: Type.Optional(Slug),
    event_name: EventName,
    payload: JsonObject,
    filter_context: Type.Optional(Nullable(JsonObject)),
  },
  { additionalProperties: false },
);

export const TriggerWebhookResponseSchema = Type.Object({
  delivery_ids: Type.Array(Type.String()),
  filtered_count: Type.Integer(),
  delivered_count: Type.Integer({ description: "Deliveries queued (one per subscribed endpoint); the dispatcher sends them" }),
});

export const TestWebhookBodySchema = Type.Object({ event_name: EventName, payload: Type.Optional(JsonObject) }, { additionalProperties: false });

export const TestWebhookResponseSchema = Type.Object({
  success: Type.Boolean(),
  status_code: Type.Integer(),
  response_time_ms: Type.Integer(),
  response_body: Nullable(Type.String()),
  error: Nullable(Type.String()),
});

export const ReactivateResponseSchema = Type.Object({ success: Type.Boolean(), message: Type.String() });

export const WebhookDeliverySchema = Type.Object(
  {
    delivery_id: Type.String({ description: "Also the webhook-id header of every attempt" }),
    deployment_id: Type.String(),
    app_slug: Type.String(),
    endpoint_id: Type.String(),
    event_name: Type.String(),
    status: Type.String({ description: "pending | succeeded | failed" }),
    http_status_code: Nullable(Type.Integer()),
    response_time_ms: Nullable(Type.Integer()),
    attempt_number: Type.Integer(),
    max_attempts: Type.Integer(),
    next_attempt_at: Nullable(Timestamp),
    timestamp: Timestamp,
  },
  { additionalProperties: false },
);

export const WebhookDeliveryPageSchema = page(WebhookDeliverySchema);

const AttemptSchema = Type.Object({
  attempt_number: Type.Integer(),
  success: Type.Boolean(),
  http_status_code: Nullable(Type.Integer()),
  response_time_ms: Type.Integer(),
  response_body: Nullable(Type.String({ description: "The first KiB" })),
  error: Nullable(Type.String()),
  timestamp: Timestamp,
});

export const WebhookDeliveryDetailsSchema = Type.Object(
  {
    ...WebhookDeliverySchema.properties,
    payload: Nullable(Type.Unknown()),
    response_body: Nullable(Type.String()),
    response_headers: Nullable(Type.Record(Type.String(), Type.String())),
    attempts: Type.Array(AttemptSchema),
  },
  { additionalProperties: false },
);

export const ListDeliveriesQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  endpoint_id: Type.Optional(Type.String({ maxLength: 64 })),
  event_name: Type.Optional(EventName),
  status: Type.Optional(Type.Union([Type.Literal("pending"), Type.Literal("succeeded"), Type.Literal("failed")])),
  since: Type.Optional(DateText),
  until: Type.Optional(DateText),
});

export const ReplayBodySchema = Type.Object(
  {
    delivery_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 1000 })),
    start_date: Type.Optional(DateText),
    end_date: Type.Optional(DateText),
    status: Type.Optional(Type.Union([Type.Literal("pending"), Type.Literal("succeeded"), Type.Literal("failed")])),
    event_name: Type.Optional(EventName),
    endpoint_id: Type.Optional(Type.String({ maxLength: 64 })),
    idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false, description: "Either delivery_ids, or start_date with optional filters" },
);
export type ReplayBody = Static<typeof ReplayBodySchema>;

export const ReplayResponseSchema = Type.Object({ status: Type.String(), message: Type.String(), task_id: Nullable(Type.String()) });

export const ReplayTaskSchema = Type.Object({
  task_id: Type.String(),
  app_slug: Type.String(),
  status: Type.String(),
  created_at: Timestamp,
  started_at: Nullable(Timestamp),
  completed_at: Nullable(Timestamp),
  total_count: Type.Integer(),
  processed: Type.Integer(),
  replayed_count: Type.Integer(),
  failed_count: Type.Integer(),
});

export const ReplayTaskListSchema = Type.Object({
  data: Type.Array(ReplayTaskSchema),
  limit: Type.Integer(),
  offset: Type.Integer(),
  has_more: Type.Boolean(),
});

export const WebhookStatsSchema = Type.Object({
  total_deliveries: Type.Integer(),
  success_rate: Type.Number(),
  active_endpoints: Type.Integer(),
  failed_deliveries_24h: Type.Integer(),
});

export const WebhookAppEventListSchema = Type.Object({
  events: Type.Array(
    Type.Object({
      deployment_id: Type.String(),
      app_slug: Type.String(),
      event_name: Type.String(),
      description: Nullable(Type.String()),
      schema: Type.Null(),
      created_at: Timestamp,
    }),
  ),
});

export const PageQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  include_inactive: Type.Boolean({ default: false }),
});

export const AppSlugParamsSchema = Type.Object({ appSlug: Slug });
export const EndpointParamsSchema = Type.Object({ appSlug: Slug, endpointId: Type.String({ minLength: 1, maxLength: 64 }) });
export const DeliveryParamsSchema = Type.Object({ appSlug: Slug, deliveryId: Type.String({ minLength: 1, maxLength: 64 }) });
export const ReplayTaskParamsSchema = Type.Object({ appSlug: Slug, taskId: Type.String({ minLength: 1, maxLength: 64 }) });

// ---------------------------------------------------------------- domain → wire

export function toWebhookAppJson(app: WebhookApp, signingSecret: string): Static<typeof WebhookAppSchema> {
  return {
    deployment_id: app.deploymentId,
    app_slug: app.slug,
    name: app.name,
    description: app.description,
    signing_secret: signingSecret,
    failure_notification_emails: app.failureNotificationEmails,
    event_catalog_slug: app.eventCatalogSlug,
    is_active: app.isActive,
    created_at: toTimestamp(app.createdAt),
    updated_at: toTimestamp(app.updatedAt),
  };
}

export function toWebhookEndpointJson(endpoint: WebhookEndpoint, appSlug: string): Static<typeof WebhookEndpointSchema> {
  return {
    id: endpoint.id,
    deployment_id: endpoint.deploymentId,
    app_slug: appSlug,
    url: endpoint.url,
    description: endpoint.description,
    headers: endpoint.headers,
    is_active: endpoint.isActive && !endpoint.autoDisabled,
    max_retries: endpoint.maxRetries,
    timeout_seconds: endpoint.timeoutSeconds,
    failure_count: endpoint.failureCount,
    last_failure_at: toNullableTimestamp(endpoint.lastFailureAt),
    auto_disabled: endpoint.autoDisabled,
    auto_disabled_at: toNullableTimestamp(endpoint.autoDisabledAt),
    rate_limit_config: endpoint.rateLimitConfig,
    created_at: toTimestamp(endpoint.createdAt),
    updated_at: toTimestamp(endpoint.updatedAt),
    subscriptions: endpoint.subscriptions.map((eventName) => ({ event_name: eventName, filter_rules: null })),
  };
}

export function toWebhookDeliveryJson(delivery: WebhookDelivery, appSlug: string): Static<typeof WebhookDeliverySchema> {
  return {
    delivery_id: delivery.id,
    deployment_id: delivery.deploymentId,
    app_slug: appSlug,
    endpoint_id: delivery.endpointId,
    event_name: delivery.eventType,
    status: delivery.status,
    http_status_code: delivery.lastStatusCode,
    response_time_ms: delivery.lastResponseTimeMs,
    attempt_number: delivery.attemptCount,
    max_attempts: delivery.maxAttempts,
    next_attempt_at: delivery.status === "pending" ? toNullableTimestamp(delivery.nextAttemptAt) : null,
    timestamp: toTimestamp(delivery.createdAt),
  };
}

export function toWebhookDeliveryDetailsJson(
  details: { delivery: WebhookDelivery; payload: unknown; attempts: DeliveryAttempt[] },
  appSlug: string,
): Static<typeof WebhookDeliveryDetailsSchema> {
  const last = details.attempts.at(-1);
  return Object.assign(toWebhookDeliveryJson(details.delivery, appSlug), {
    payload: details.payload,
    response_body: last?.responseBody ?? null,
    response_headers: last?.responseHeaders ?? null,
    attempts: details.attempts.map((attempt) => ({
      attempt_number: attempt.attemptNumber,
      success: attempt.succeeded,
      http_status_code: attempt.statusCode,
      response_time_ms: attempt.durationMs,
      response_body: attempt.responseBody,
      error: attempt.error,
      timestamp: toTimestamp(attempt.attemptedAt),
    })),
  });
}

export function toReplayTaskJson(task: ReplayTask, appSlug: string): Static<typeof ReplayTaskSchema> {
  return {
    task_id: task.id,
    app_slug: appSlug,
    status: task.status,
    created_at: toTimestamp(task.createdAt),
    started_at: toNullableTimestamp(task.startedAt),
    completed_at: toNullableTimestamp(task.completedAt),
    total_count: task.totalCount,
    processed: task.processed,
    replayed_count: task.replayedCount,
    failed_count: task.failedCount,
  };
}

export function toTestResultJson(result: SendResult): Static<typeof TestWebhookResponseSchema> {
  return {
    success: result.succeeded,
    status_code: result.statusCode ?? 0,
    response_time_ms: result.durationMs,
    response_body: result.responseBody,
    error: result.error,
  };
}
