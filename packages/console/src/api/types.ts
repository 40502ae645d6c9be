/**
 * Wire types of the Backend API routes the console calls. The users shapes are @wacht/backend's
 * own, as are second factors, webhooks and the audit log (kept in step with the server by its
 * OpenAPI drift test); the rest are copied from the
 * server's schemas (console.schemas.ts, api-keys.schemas.ts, deployments.routes.ts).
 */
export type {
  User,
  UserDetails,
  UserEmail,
  UserPhone,
  UserSignin,
  UserSocialConnection,
  UserSortKey,
  SortOrder,
  ListResponse,
  UserPasskey,
  RegeneratedBackupCodesResponse,
  AuditLogEntry,
  AuditLogPage,
  WebhookApp,
  WebhookAppEvent,
  WebhookEndpoint,
  WebhookDelivery,
  WebhookDeliveryDetails,
  WebhookDeliveryAttempt,
  EventSubscription,
  ReplayWebhookDeliveryResponse,
} from "@wacht/backend";

import type { User } from "@wacht/backend";

/** A page of an offset-paged list (users, webhook apps, endpoints, deliveries). */
export interface OffsetPage<T> {
  data: T[];
  total: number;
  has_more: boolean;
  limit: number;
  offset: number;
}

export type UserPage = OffsetPage<User>;

export interface ConsoleSession {
  deployment_id: string;
  deployment_name: string;
  api_key: { id: string; name: string; display_prefix: string };
  csrf_token: string;
  expires_at: string;
}

export interface ApiKey {
  id: string;
  deployment_id: string;
  name: string;
  display_prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CreatedApiKey {
  api_key: ApiKey;
  secret: string;
}

export interface Deployment {
  id: string;
  name: string;
  is_default: boolean;
  created_at: string;
  frontend_api_url: string | null;
  publishable_key: string | null;
}

/** The server's error envelope (http/error-handler.ts). */
export interface ErrorBody {
  message?: string;
  code?: string;
  details?: Record<string, string> | null;
}
