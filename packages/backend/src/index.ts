export { WachtClient, type WachtClientOptions, type WachtConfig } from "./client.js";
export { WachtClientStore, createClientStore, createClientStore as createWachtClientStore } from "./client-store.js";
export { users, webhooks, auditLogs, initClient, getClient, isClientInitialized } from "./module-api.js";
export { Users } from "./resources/users.js";
export { Webhooks } from "./resources/webhooks.js";
export { AuditLogs } from "./resources/audit-logs.js";
export {
  verifyWebhook,
  WebhookVerificationError,
  type VerifyWebhookOptions,
  type WebhookHeaders,
  type WebhookVerificationCode,
  type WachtWebhookEvent,
  type WachtEventType,
} from "./webhooks/verify-webhook.js";
export { OauthProviders } from "./resources/oauth-providers.js";
export {
  WachtError,
  ValidationError,
  AuthenticationError,
  AuthorizationError,
  NotFoundError,
  ConflictError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  UnprocessableEntityError,
  RateLimitError,
  ServerError,
  WachtConnectionError,
  WachtTimeoutError,
  parseApiError,
  type WachtErrorInit,
  type ErrorCode,
  type WachtClientErrorCode,
} from "./core/errors.js";
export { WACHT_ERROR_CODES, type WachtErrorCode } from "./core/error-codes.js";
export { PagePromise, type PaginatedResponse, type Page } from "./core/pagination.js";
export type { ModuleApi, ModuleFunction } from "./module-api.js";
export type { RequestOptions, CallOptions, HttpMethod, QueryParams } from "./core/request.js";
export type * from "./resources/users.types.js";
export {
  MAX_IMPORT_BATCH,
  type ImportUser,
  type ImportUsersOptions,
  type ImportUsersResponse,
  type ImportResult,
  type ImportProgress,
  type ImportStreamOptions,
} from "./resources/import.js";
export type * from "./resources/second-factors.types.js";
export type * from "./resources/webhooks.types.js";
export type * from "./resources/audit-logs.types.js";
export type * from "./resources/oauth-providers.js";
export { verifyAuthToken } from "./auth/verify.js";
export { getAuth, getAuthFromToken, authenticateRequest, authFromHeaders } from "./auth/request-auth.js";
export { exchangeSessionForAuthToken, type SessionExchangeResult } from "./auth/exchange.js";
export { parseFrontendApiUrlFromPublishableKey } from "./auth/publishable-key.js";
export { WachtAuthError } from "./auth/auth-error.js";
export type { WachtServerOptions, JWTPayload, WachtAuth, ProtectOptions, PermissionCheck } from "./auth/types.js";
