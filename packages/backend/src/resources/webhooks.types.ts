/**
 * Wire types of `client.webhooks`, as the published client declares them (ids are strings on
 * Wacht, where the published types sometimes say number).
 */

export interface EventSubscription {
  /** A built-in event (`user.created` …) or one of the app's own, sent with triggerWebhook. */
  event_name: string;
  filter_rules?: Record<string, unknown> | null;
}

export interface RateLimitConfig {
  duration_ms: number;
  max_requests: number;
}

export interface WebhookApp {
  deployment_id: string;
  app_slug: string;
  name: string;
  description?: string | null;
  /** `whsec_<base64>`: verify deliveries with verifyWebhook(payload, headers, signing_secret). */
  signing_secret: string;
  failure_notification_emails?: string[];
  event_catalog_slug?: string | null;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export interface WebhookAppEvent {
  deployment_id: string;
  app_slug: string;
  event_name: string;
  description?: string | null;
  schema?: Record<string, unknown> | null;
  created_at: string;
}

export interface WebhookEndpoint {
  id: string;
  deployment_id: string;
  app_slug: string;
  url: string;
  description?: string | null;
  headers?: Record<string, string> | null;
  is_active: boolean;
  max_retries: number;
  timeout_seconds: number;
  failure_count: number;
  last_failure_at?: string | null;
  auto_disabled: boolean;
  auto_disabled_at?: string | null;
  rate_limit_config?: RateLimitConfig | null;
  created_at: string;
  updated_at: string;
  subscriptions: EventSubscription[];
}

export interface WebhookDelivery {
  /** Also the `webhook-id` header of every attempt. */
  delivery_id: string;
  deployment_id: string;
  app_slug: string;
  endpoint_id: string;
  event_name: string;
  status: string;
  http_status_code?: number | null;
  response_time_ms?: number | null;
  attempt_number: number;
  max_attempts: number;
  /** When the next retry is due; null once delivered or given up (Wacht adds it). */
  next_attempt_at?: string | null;
  timestamp: string;
}

/** One try at delivering (Wacht adds the list to the delivery details). */
export interface WebhookDeliveryAttempt {
  attempt_number: number;
  success: boolean;
  http_status_code: number | null;
  response_time_ms: number;
  /** The first KiB of the endpoint's answer. */
  response_body: string | null;
  error: string | null;
  timestamp: string;
}

export interface WebhookDeliveryDetails extends WebhookDelivery {
  payload?: unknown | null;
  response_body?: string | null;
  response_headers?: Record<string, unknown> | null;
  attempts?: WebhookDeliveryAttempt[];
}

export interface CreateWebhookAppRequest {
  app_slug?: string;
  name: string;
  description?: string;
  failure_notification_emails?: string[];
  event_catalog_slug?: string;
}

export interface UpdateWebhookAppRequest {
  name?: string;
  description?: string;
  is_active?: boolean;
  failure_notification_emails?: string[];
  event_catalog_slug?: string;
}

export interface CreateWebhookEndpointRequest {
  url: string;
  description?: string;
  /** Sent with every delivery; they cannot replace the signature headers. */
  headers?: Record<string, string>;
  subscriptions: EventSubscription[];
  max_retries?: number;
  timeout_seconds?: number;
  rate_limit_config?: RateLimitConfig | null;
}

export interface UpdateWebhookEndpointRequest {
  url?: string;
  description?: string;
  headers?: Record<string, string>;
  is_active?: boolean;
  subscriptions?: EventSubscription[];
  max_retries?: number;
  timeout_seconds?: number;
  rate_limit_config?: RateLimitConfig | null;
}

export interface TriggerWebhookRequest {
  event_name: string;
  payload: Record<string, unknown>;
  filter_context?: Record<string, unknown>;
}

export interface TriggerWebhookResponse {
  delivery_ids: string[];
  filtered_count: number;
  delivered_count: number;
}

export interface ReplayWebhookDeliveryRequestByIds {
  delivery_ids: string[];
  idempotency_key?: string;
}

export interface ReplayWebhookDeliveryRequestByDateRange {
  start_date: string;
  end_date?: string;
  status?: string;
  event_name?: string;
  endpoint_id?: string;
  idempotency_key?: string;
}

export type ReplayWebhookDeliveryRequest = ReplayWebhookDeliveryRequestByIds | ReplayWebhookDeliveryRequestByDateRange;

export interface ReplayWebhookDeliveryResponse {
  status: string;
  message: string;
  /** Follow it with getWebhookReplayTaskStatus. */
  task_id?: string | null;
}

export interface ReplayTaskStatus {
  task_id: string;
  app_slug: string;
  status: string;
  created_at?: string;
  started_at?: string;
  completed_at?: string;
  total_count: number;
  processed: number;
  replayed_count: number;
  failed_count: number;
  last_delivery_id?: string;
}

export interface ReplayTaskListResponse {
  data: ReplayTaskStatus[];
  limit: number;
  offset: number;
  has_more: boolean;
}

export interface ReplayTaskCancelResponse {
  status: string;
  message: string;
}

export interface ReactivateWebhookEndpointResponse {
  success: boolean;
  message: string;
}

export interface TestWebhookEndpointRequest {
  event_name: string;
  payload?: Record<string, unknown>;
}

export interface TestWebhookEndpointResponse {
  success: boolean;
  status_code: number;
  response_time_ms: number;
  response_body?: string | null;
  error?: string | null;
}

export interface WebhookStats {
  total_deliveries: number;
  success_rate: number;
  active_endpoints: number;
  failed_deliveries_24h: number;
}

export interface ListWebhookAppsOptions {
  limit?: number;
  offset?: number;
  include_inactive?: boolean;
}

export type ListWebhookEndpointsOptions = ListWebhookAppsOptions;

export interface ListWebhookDeliveriesOptions {
  limit?: number;
  offset?: number;
  endpoint_id?: string;
  event_name?: string;
  status?: string;
  /** RFC 3339. */
  since?: string;
  until?: string;
}

export interface ListReplayTasksOptions {
  limit?: number;
  offset?: number;
}
