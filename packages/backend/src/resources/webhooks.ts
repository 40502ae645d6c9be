import type { WachtClient } from "../client.js";
import { paginateByOffset, type PagePromise, type PaginatedResponse } from "../core/pagination.js";
import { path } from "../core/path.js";
import type { RequestOptions } from "../core/request.js";
import type {
  CreateWebhookAppRequest,
  CreateWebhookEndpointRequest,
  ListReplayTasksOptions,
  ListWebhookAppsOptions,
  ListWebhookDeliveriesOptions,
  ListWebhookEndpointsOptions,
  ReactivateWebhookEndpointResponse,
  ReplayTaskCancelResponse,
  ReplayTaskListResponse,
  ReplayTaskStatus,
  ReplayWebhookDeliveryRequest,
  ReplayWebhookDeliveryResponse,
  TestWebhookEndpointRequest,
  TestWebhookEndpointResponse,
  TriggerWebhookRequest,
  TriggerWebhookResponse,
  UpdateWebhookAppRequest,
  UpdateWebhookEndpointRequest,
  WebhookApp,
  WebhookAppEvent,
  WebhookDelivery,
  WebhookDeliveryDetails,
  WebhookEndpoint,
  WebhookStats,
} from "./webhooks.types.js";

/**
 * `client.webhooks`: the published client's webhooks methods, same names and arguments. Lists
 * are awaitable for a page and iterable for every item. Left out, as the server leaves them out
 * (it answers 501): event catalogs, getWebhookCatalog, analytics and timeseries.
 * Calls whose answer holds the signing secret get no automatic Idempotency-Key (see
 * CallOptions.isAnswerSecret), so createWebhookApp and rotateWebhookSecret are retried only on 429.
 */
export class Webhooks {
  readonly #client: WachtClient;

  constructor(client: WachtClient) {
    this.#client = client;
  }

  listWebhookApps(options: ListWebhookAppsOptions = {}, requestOptions?: RequestOptions): PagePromise<WebhookApp, PaginatedResponse<WebhookApp>> {
    const query = (offset: number | undefined) => ({ limit: options.limit, offset, include_inactive: options.include_inactive });
    return paginateByOffset((offset) => this.#client.get("/webhooks/apps", { ...requestOptions, query: query(offset) }), options.offset);
  }

  async getWebhookApp(appSlug: string, options?: RequestOptions): Promise<WebhookApp> {
    return this.#client.get(path`/webhooks/apps/${appSlug}`, options);
  }

  async createWebhookApp(request: CreateWebhookAppRequest, options?: RequestOptions): Promise<WebhookApp> {
    return this.#client.post("/webhooks/apps", request, { ...options, isAnswerSecret: true });
  }

  async updateWebhookApp(appSlug: string, request: UpdateWebhookAppRequest, options?: RequestOptions): Promise<WebhookApp> {
    return this.#client.patch(path`/webhooks/apps/${appSlug}`, request, { ...options, isSafeToRepeat: true });
  }

  /** Also deletes the app's endpoints and deliveries. */
  async deleteWebhookApp(appSlug: string, options?: RequestOptions): Promise<void> {
    return this.#client.delete(path`/webhooks/apps/${appSlug}`, options);
  }

  /** A new signing secret; the old one keeps signing beside it for 24 h, so receivers can switch. */
  async rotateWebhookSecret(appSlug: string, options?: RequestOptions): Promise<WebhookApp> {
    return this.#client.post(path`/webhooks/apps/${appSlug}/rotate-secret`, undefined, { ...options, isAnswerSecret: true });
  }

  /** Sends one of the app's own events to the endpoints subscribed to it. */
  async triggerWebhook(appSlug: string, request: TriggerWebhookRequest, options?: RequestOptions): Promise<TriggerWebhookResponse> {
    const body = { app_slug: appSlug, event_name: request.event_name, payload: request.payload, filter_context: request.filter_context };
    return this.#client.post(path`/webhooks/apps/${appSlug}/trigger`, body, options);
  }

  /** The event types the app's endpoints can subscribe to. */
  async listWebhookEvents(appSlug: string, options?: RequestOptions): Promise<WebhookAppEvent[]> {
    return (await this.#client.get<{ events: WebhookAppEvent[] }>(path`/webhooks/apps/${appSlug}/events`, options)).events;
  }

  listWebhookEndpoints(
    appSlug: string,
    options: ListWebhookEndpointsOptions = {},
    requestOptions?: RequestOptions,
  ): PagePromise<WebhookEndpoint, PaginatedResponse<WebhookEndpoint>> {
    const endpointsPath = path`/webhooks/apps/${appSlug}/endpoints`;
    const query = (offset: number | undefined) => ({ limit: options.limit, offset, include_inactive: options.include_inactive });
    return paginateByOffset((offset) => this.#client.get(endpointsPath, { ...requestOptions, query: query(offset) }), options.offset);
  }

  async createWebhookEndpoint(appSlug: string, request: CreateWebhookEndpointRequest, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.#client.post(path`/webhooks/apps/${appSlug}/endpoints`, { ...request, app_slug: appSlug }, options);
  }

  async updateWebhookEndpoint(appSlug: string, endpointId: string, request: UpdateWebhookEndpointRequest, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.#client.patch(path`/webhooks/apps/${appSlug}/endpoints/${endpointId}`, request, { ...options, isSafeToRepeat: true });
  }

  async deleteWebhookEndpoint(appSlug: string, endpointId: string, options?: RequestOptions): Promise<void> {
    return this.#client.delete(path`/webhooks/apps/${appSlug}/endpoints/${endpointId}`, options);
  }

  /** Sends one signed test event to the endpoint now and reports how it answered. */
  async testWebhookEndpoint(
    appSlug: string,
    endpointId: string,
    request: TestWebhookEndpointRequest,
    options?: RequestOptions,
  ): Promise<TestWebhookEndpointResponse> {
    return this.#client.post(path`/webhooks/apps/${appSlug}/endpoints/${endpointId}/test`, request, options);
  }

  /** Re-enables an endpoint that was auto-disabled after failing for too long. */
  async reactivateWebhookEndpoint(endpointId: string, options?: RequestOptions): Promise<ReactivateWebhookEndpointResponse> {
    return this.#client.post(path`/webhooks/endpoints/${endpointId}/reactivate`, undefined, { ...options, isSafeToRepeat: true });
  }

  listWebhookDeliveries(
    appSlug: string,
    options: ListWebhookDeliveriesOptions = {},
    requestOptions?: RequestOptions,
  ): PagePromise<WebhookDelivery, PaginatedResponse<WebhookDelivery>> {
    const deliveriesPath = path`/webhooks/apps/${appSlug}/deliveries`;
    // The published client's parameter order, so both send the same URL.
    const { limit, endpoint_id, event_name, status, since, until } = options;
    const query = (offset: number | undefined) => ({ limit, offset, endpoint_id, event_name, status, since, until });
    return paginateByOffset((offset) => this.#client.get(deliveriesPath, { ...requestOptions, query: query(offset) }), options.offset);
  }

  /** A delivery with its payload and the last attempt's response. */
  async getWebhookDelivery(
    appSlug: string,
    deliveryId: string,
    options: { status?: string } = {},
    requestOptions?: RequestOptions,
  ): Promise<WebhookDeliveryDetails> {
    return this.#client.get(path`/webhooks/apps/${appSlug}/deliveries/${deliveryId}`, { ...requestOptions, query: { status: options.status } });
  }

  async replayWebhookDelivery(
    appSlug: string,
    deliveryId: string,
    options: { idempotency_key?: string } = {},
    requestOptions?: RequestOptions,
  ): Promise<ReplayWebhookDeliveryResponse> {
    return this.replayWebhookDeliveries(appSlug, { delivery_ids: [deliveryId], idempotency_key: options.idempotency_key }, requestOptions);
  }

  /** Re-sends deliveries by id, or every delivery in a date range; answers a task to follow. */
  async replayWebhookDeliveries(appSlug: string, request: ReplayWebhookDeliveryRequest, options?: RequestOptions): Promise<ReplayWebhookDeliveryResponse> {
    return this.#client.post(path`/webhooks/apps/${appSlug}/deliveries/replay`, request, options);
  }

  listWebhookReplayTasks(
    appSlug: string,
    options: ListReplayTasksOptions = {},
    requestOptions?: RequestOptions,
  ): PagePromise<ReplayTaskStatus, ReplayTaskListResponse> {
    const tasksPath = path`/webhooks/apps/${appSlug}/deliveries/replay`;
    return paginateByOffset((offset) => this.#client.get(tasksPath, { ...requestOptions, query: { limit: options.limit, offset } }), options.offset);
  }

  async getWebhookReplayTaskStatus(appSlug: string, taskId: string, options?: RequestOptions): Promise<ReplayTaskStatus> {
    return this.#client.get(path`/webhooks/apps/${appSlug}/deliveries/replay/${taskId}`, options);
  }

  async cancelWebhookReplayTask(appSlug: string, taskId: string, options?: RequestOptions): Promise<ReplayTaskCancelResponse> {
    return this.#client.post(path`/webhooks/apps/${appSlug}/deliveries/replay/${taskId}/cancel`, undefined, { ...options, isSafeToRepeat: true });
  }

  async getWebhookStats(appSlug: string, options?: RequestOptions): Promise<WebhookStats> {
    return this.#client.get(path`/webhooks/apps/${appSlug}/stats`, options);
  }
}
