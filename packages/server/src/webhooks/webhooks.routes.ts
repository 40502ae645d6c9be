import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { changeContextOf } from "../http/change-context.js";
import { ErrorSchema, EmptySchema, errorResponses } from "../http/common.schemas.js";
import { parseTimestampParameter } from "../http/timestamp-parameter.js";
import { errors } from "../errors.js";
import { toTimestamp } from "../http/common.schemas.js";
import { BUILT_IN_EVENT_TYPES } from "./event-types.js";
import {
  cancelWebhookReplayTask,
  getWebhookDeliveryDetails,
  getWebhookReplayTask,
  getWebhookStats,
  listWebhookDeliveries,
  listWebhookReplayTasks,
  replayWebhookDeliveries,
  type ReplaySelection,
} from "./webhook-deliveries.service.js";
import {
  AppSlugParamsSchema,
  CreateWebhookAppBodySchema,
  CreateWebhookEndpointBodySchema,
  DeliveryParamsSchema,
  EndpointParamsSchema,
  ListDeliveriesQuerySchema,
  PageQuerySchema,
  ReactivateResponseSchema,
  ReplayBodySchema,
  ReplayResponseSchema,
  ReplayTaskListSchema,
  ReplayTaskParamsSchema,
  ReplayTaskSchema,
  TestWebhookBodySchema,
  TestWebhookResponseSchema,
  TriggerWebhookBodySchema,
  TriggerWebhookResponseSchema,
  UpdateWebhookAppBodySchema,
  UpdateWebhookEndpointBodySchema,
  WebhookAppEventListSchema,
  WebhookAppPageSchema,
  WebhookAppSchema,
  WebhookDeliveryDetailsSchema,
  WebhookDeliveryPageSchema,
  WebhookEndpointPageSchema,
  WebhookEndpointSchema,
  WebhookStatsSchema,
  toReplayTaskJson,
  toTestResultJson,
  toWebhookAppJson,
  toWebhookDeliveryDetailsJson,
  toWebhookDeliveryJson,
  toWebhookEndpointJson,
  type ReplayBody,
  type UpdateWebhookEndpointBody,
} from "./webhooks.schemas.js";
import {
  createWebhookApp,
  createWebhookEndpoint,
  deleteWebhookApp,
  deleteWebhookEndpoint,
  getWebhookApp,
  getWebhookAppWithSecret,
  listWebhookApps,
  listWebhookEndpoints,
  reactivateWebhookEndpoint,
  rotateWebhookSecret,
  testWebhookEndpoint,
  triggerWebhookEvent,
  updateWebhookApp,
  updateWebhookEndpoint,
  type EndpointFields,
} from "./webhooks.service.js";

const tags = ["webhooks"];
const responses = { ...errorResponses, 501: ErrorSchema };

const toEndpointFields = (body: UpdateWebhookEndpointBody): EndpointFields => ({
  url: body.url,
  description: body.description,
  headers: body.headers,
  isActive: body.is_active,
  subscriptions: body.subscriptions,
  maxRetries: body.max_retries,
  timeoutSeconds: body.timeout_seconds,
  rateLimitConfig: body.rate_limit_config,
});

function toReplaySelection(body: ReplayBody): ReplaySelection {
  if (body.delivery_ids !== undefined) {
    if (body.start_date !== undefined || body.end_date !== undefined) {
      throw errors.validation_failed({ delivery_ids: "cannot be combined with start_date/end_date" });
    }
    return { deliveryIds: body.delivery_ids };
  }
  const startMs = parseTimestampParameter("start_date", body.start_date);
  if (startMs === undefined) throw errors.validation_failed({ start_date: "is required when delivery_ids is not sent" });
  return {
    startMs,
    untilMs: parseTimestampParameter("end_date", body.end_date),
    status: body.status,
    eventName: body.event_name,
    endpointId: body.endpoint_id,
  };
}

/** The published client's `client.webhooks` routes (Backend API, so behind an API key). */
export const webhooksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const settings = { config: app.config, secretBox: app.secretBox };

  // ------------------------------------------------------------ apps
  app.get(
    "/webhooks/apps",
    { schema: { tags, summary: "List webhook apps", querystring: PageQuerySchema, response: { 200: WebhookAppPageSchema, ...responses } } },
    async (request) => {
      const { limit, offset, include_inactive } = request.query;
      const { items, total } = await listWebhookApps(app.db, request.deploymentId, app.secretBox, { limit, offset, includeInactive: include_inactive });
      return {
        data: items.map(({ app: webhookApp, signingSecret }) => toWebhookAppJson(webhookApp, signingSecret)),
        total,
        limit,
        offset,
        has_more: offset + items.length < total,
      };
    },
  );

  app.post(
    "/webhooks/apps",
    { schema: { tags, summary: "Create a webhook app", body: CreateWebhookAppBodySchema, response: { 200: WebhookAppSchema, ...responses } } },
    async (request) => {
      const body = request.body;
      const created = await createWebhookApp(app.db, request.deploymentId, settings, changeContextOf(request), {
        slug: body.app_slug,
        name: body.name,
        description: body.description,
        failureNotificationEmails: body.failure_notification_emails,
        eventCatalogSlug: body.event_catalog_slug,
      });
      return toWebhookAppJson(created.app, created.signingSecret);
    },
  );

  app.get(
    "/webhooks/apps/:appSlug",
    { schema: { tags, summary: "Get a webhook app", params: AppSlugParamsSchema, response: { 200: WebhookAppSchema, ...responses } } },
    async (request) => {
      const found = await getWebhookAppWithSecret(app.db, request.deploymentId, app.secretBox, request.params.appSlug);
      return toWebhookAppJson(found.app, found.signingSecret);
    },
  );

  app.patch(
    "/webhooks/apps/:appSlug",
    {
      schema: {
        tags,
        summary: "Update a webhook app",
        params: AppSlugParamsSchema,
        body: UpdateWebhookAppBodySchema,
        response: { 200: WebhookAppSchema, ...responses },
      },
    },
    async (request) => {
      const body = request.body;
      const updated = await updateWebhookApp(app.db, request.deploymentId, app.secretBox, changeContextOf(request), request.params.appSlug, {
        name: body.name,
        description: body.description,
        isActive: body.is_active,
        failureNotificationEmails: body.failure_notification_emails,
        eventCatalogSlug: body.event_catalog_slug,
      });
      return toWebhookAppJson(updated.app, updated.signingSecret);
    },
  );

  app.delete(
    "/webhooks/apps/:appSlug",
    {
      schema: {
        tags,
        summary: "Delete a webhook app, its endpoints and deliveries",
        params: AppSlugParamsSchema,
        response: { 200: EmptySchema, ...responses },
      },
    },
    async (request) => {
      await deleteWebhookApp(app.db, request.deploymentId, changeContextOf(request), request.params.appSlug);
      return {};
    },
  );

  app.post(
    "/webhooks/apps/:appSlug/rotate-secret",
    {
      schema: {
        tags,
        summary: "New signing secret; the old one keeps signing for 24 h",
        params: AppSlugParamsSchema,
        response: { 200: WebhookAppSchema, ...responses },
      },
    },
    async (request) => {
      const rotated = await rotateWebhookSecret(app.db, request.deploymentId, settings, changeContextOf(request), request.params.appSlug);
      return toWebhookAppJson(rotated.app, rotated.signingSecret);
    },
  );

  app.post(
    "/webhooks/apps/:appSlug/trigger",
    {
      schema: {
        tags,
        summary: "Send an app's own event to its subscribed endpoints",
        params: AppSlugParamsSchema,
        body: TriggerWebhookBodySchema,
        response: { 200: TriggerWebhookResponseSchema, ...responses },
      },
    },
    async (request) => {
      const { deliveryIds } = await triggerWebhookEvent(app.db, request.deploymentId, changeContextOf(request), request.params.appSlug, {
        eventName: request.body.event_name,
        payload: request.body.payload,
      });
      return { delivery_ids: deliveryIds, filtered_count: 0, delivered_count: deliveryIds.length };
    },
  );

  app.get(
    "/webhooks/apps/:appSlug/events",
    {
      schema: {
        tags,
        summary: "The built-in event types endpoints can subscribe to",
        params: AppSlugParamsSchema,
        response: { 200: WebhookAppEventListSchema, ...responses },
      },
    },
    async (request) => {
      const webhookApp = await getWebhookApp(app.db, request.deploymentId, request.params.appSlug);
      return {
        events: BUILT_IN_EVENT_TYPES.map((eventName) => ({
          deployment_id: webhookApp.deploymentId,
          app_slug: webhookApp.slug,
          event_name: eventName,
          description: null,
          schema: null,
          created_at: toTimestamp(webhookApp.createdAt),
        })),
      };
    },
  );

  app.get(
    "/webhooks/apps/:appSlug/stats",
    { schema: { tags, summary: "Delivery statistics", params: AppSlugParamsSchema, response: { 200: WebhookStatsSchema, ...responses } } },
    async (request) => {
      const stats = await getWebhookStats(app.db, request.deploymentId, request.params.appSlug);
      return {
        total_deliveries: stats.totalDeliveries,
        success_rate: stats.successRate,
        active_endpoints: stats.activeEndpoints,
        failed_deliveries_24h: stats.failedDeliveries24h,
      };
    },
  );

  // ------------------------------------------------------------ endpoints
  app.get(
    "/webhooks/apps/:appSlug/endpoints",
    {
      schema: {
        tags,
        summary: "List an app's endpoints",
        params: AppSlugParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: WebhookEndpointPageSchema, ...responses },
      },
    },
    async (request) => {
      const { limit, offset, include_inactive } = request.query;
      const {
        app: webhookApp,
        items,
        total,
      } = await listWebhookEndpoints(app.db, request.deploymentId, request.params.appSlug, { limit, offset, includeInactive: include_inactive });
      return { data: items.map((endpoint) => toWebhookEndpointJson(endpoint, webhookApp.slug)), total, limit, offset, has_more: offset + items.length < total };
    },
  );

  app.post(
    "/webhooks/apps/:appSlug/endpoints",
    {
      schema: {
        tags,
        summary: "Create an endpoint with its event subscriptions",
        params: AppSlugParamsSchema,
        body: CreateWebhookEndpointBodySchema,
        response: { 200: WebhookEndpointSchema, ...responses },
      },
    },
    async (request) => {
      const body = request.body;
      const endpoint = await createWebhookEndpoint(app.db, request.deploymentId, app.config, changeContextOf(request), request.params.appSlug, {
        ...toEndpointFields(body),
        url: body.url,
      });
      return toWebhookEndpointJson(endpoint, request.params.appSlug);
    },
  );

  app.patch(
    "/webhooks/apps/:appSlug/endpoints/:endpointId",
    {
      schema: {
        tags,
        summary: "Update an endpoint",
        params: EndpointParamsSchema,
        body: UpdateWebhookEndpointBodySchema,
        response: { 200: WebhookEndpointSchema, ...responses },
      },
    },
    async (request) => {
      const { appSlug, endpointId } = request.params;
      const endpoint = await updateWebhookEndpoint(
        app.db,
        request.deploymentId,
        app.config,
        changeContextOf(request),
        appSlug,
        endpointId,
        toEndpointFields(request.body),
      );
      return toWebhookEndpointJson(endpoint, appSlug);
    },
  );

  app.delete(
    "/webhooks/apps/:appSlug/endpoints/:endpointId",
    { schema: { tags, summary: "Delete an endpoint and its deliveries", params: EndpointParamsSchema, response: { 200: EmptySchema, ...responses } } },
    async (request) => {
      await deleteWebhookEndpoint(app.db, request.deploymentId, changeContextOf(request), request.params.appSlug, request.params.endpointId);
      return {};
    },
  );

  app.post(
    "/webhooks/apps/:appSlug/endpoints/:endpointId/test",
    {
      schema: {
        tags,
        summary: "Send one signed request now and report the answer",
        params: EndpointParamsSchema,
        body: TestWebhookBodySchema,
        response: { 200: TestWebhookResponseSchema, ...responses },
      },
    },
    async (request) => {
      const { appSlug, endpointId } = request.params;
      const result = await testWebhookEndpoint(app.db, request.deploymentId, settings, appSlug, endpointId, {
        eventName: request.body.event_name,
        payload: request.body.payload,
      });
      return toTestResultJson(result);
    },
  );

  app.post(
    "/webhooks/endpoints/:endpointId/reactivate",
    {
      schema: {
        tags,
        summary: "Re-enable an endpoint disabled after failing",
        params: Type.Object({ endpointId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: ReactivateResponseSchema, ...responses },
      },
    },
    async (request) => {
      await reactivateWebhookEndpoint(app.db, request.deploymentId, changeContextOf(request), request.params.endpointId);
      return { success: true, message: "Endpoint reactivated: new events are delivered to it again." };
    },
  );

  // ------------------------------------------------------------ deliveries and replay
  app.get(
    "/webhooks/apps/:appSlug/deliveries",
    {
      schema: {
        tags,
        summary: "List deliveries, newest first",
        params: AppSlugParamsSchema,
        querystring: ListDeliveriesQuerySchema,
        response: { 200: WebhookDeliveryPageSchema, ...responses },
      },
    },
    async (request) => {
      const query = request.query;
      const filter = {
        endpointId: query.endpoint_id,
        eventName: query.event_name,
        status: query.status,
        sinceMs: parseTimestampParameter("since", query.since),
        untilMs: parseTimestampParameter("until", query.until),
      };
      const {
        app: webhookApp,
        items,
        total,
      } = await listWebhookDeliveries(app.db, request.deploymentId, request.params.appSlug, filter, { limit: query.limit, offset: query.offset });
      return {
        data: items.map((delivery) => toWebhookDeliveryJson(delivery, webhookApp.slug)),
        total,
        limit: query.limit,
        offset: query.offset,
        has_more: query.offset + items.length < total,
      };
    },
  );

  app.post(
    "/webhooks/apps/:appSlug/deliveries/replay",
    {
      schema: {
        tags,
        summary: "Deliver again, by ids or by date range",
        params: AppSlugParamsSchema,
        body: ReplayBodySchema,
        response: { 200: ReplayResponseSchema, ...responses },
      },
    },
    async (request) => {
      const { task, isNew } = await replayWebhookDeliveries(
        app.db,
        request.deploymentId,
        changeContextOf(request),
        request.params.appSlug,
        toReplaySelection(request.body),
        request.body.idempotency_key,
      );
      const message = isNew
        ? `${task.replayedCount} deliveries queued again.`
        : `Already replayed with this idempotency key (${task.replayedCount} deliveries).`;
      return { status: task.status, message, task_id: task.id };
    },
  );

  app.get(
    "/webhooks/apps/:appSlug/deliveries/replay",
    {
      schema: {
        tags,
        summary: "List replay tasks",
        params: AppSlugParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: ReplayTaskListSchema, ...responses },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const { items, hasMore } = await listWebhookReplayTasks(app.db, request.deploymentId, request.params.appSlug, { limit, offset });
      return { data: items.map((task) => toReplayTaskJson(task, request.params.appSlug)), limit, offset, has_more: hasMore };
    },
  );

  app.get(
    "/webhooks/apps/:appSlug/deliveries/replay/:taskId",
    { schema: { tags, summary: "A replay task's status", params: ReplayTaskParamsSchema, response: { 200: ReplayTaskSchema, ...responses } } },
    async (request) =>
      toReplayTaskJson(await getWebhookReplayTask(app.db, request.deploymentId, request.params.appSlug, request.params.taskId), request.params.appSlug),
  );

  app.post(
    "/webhooks/apps/:appSlug/deliveries/replay/:taskId/cancel",
    { schema: { tags, summary: "Cancel a replay task (replays finish at once: 409)", params: ReplayTaskParamsSchema, response: { ...responses } } },
    async (request) => cancelWebhookReplayTask(app.db, request.deploymentId, request.params.appSlug, request.params.taskId),
  );

  app.get(
    "/webhooks/apps/:appSlug/deliveries/:deliveryId",
    {
      schema: {
        tags,
        summary: "A delivery with its payload and attempts",
        params: DeliveryParamsSchema,
        querystring: Type.Object({ status: Type.Optional(Type.String({ maxLength: 32 })) }),
        response: { 200: WebhookDeliveryDetailsSchema, ...responses },
      },
    },
    async (request) => {
      const details = await getWebhookDeliveryDetails(app.db, request.deploymentId, request.params.appSlug, request.params.deliveryId, request.query.status);
      return toWebhookDeliveryDetailsJson(details, details.app.slug);
    },
  );

  // ------------------------------------------------------------ not served yet
  const notImplemented = (what: string) => async () => {
    throw errors.not_implemented(what);
  };
  const hidden = { schema: { tags, hide: true, response: { 501: ErrorSchema } } };
  for (const path of [
    "/webhooks/event-catalogs",
    "/webhooks/event-catalogs/:slug",
    "/webhooks/event-catalogs/:slug/append-events",
    "/webhooks/event-catalogs/:slug/archive-event",
  ]) {
    // The published client sends these a JSON body: accept it (small), so the answer is the 501, not a refused body.
    const withAnyBody = { bodyLimit: 64 * 1024, schema: { ...hidden.schema, body: { type: "object", additionalProperties: true } } };
    app.route({ method: "GET", url: path, ...hidden, handler: notImplemented("Webhook event catalogs") });
    app.route({ method: ["POST", "PUT"], url: path, ...withAnyBody, handler: notImplemented("Webhook event catalogs") });
  }
  app.get("/webhooks/apps/:appSlug/catalog", hidden, notImplemented("Webhook event catalogs"));
  app.get("/webhooks/apps/:appSlug/analytics", hidden, notImplemented("Webhook analytics"));
  app.get("/webhooks/apps/:appSlug/timeseries", hidden, notImplemented("Webhook timeseries"));
};
