export { WachtClient, type WachtClientOptions, type WachtConfig } from "./client.js";
export { WachtClientStore, createClientStore, createClientStore as createWachtClientStore } from "./client-store.js";
export { users, initClient, getClient, isClientInitialized } from "./module-api.js";
export { Users } from "./resources/users.js";
export {
  WachtError,
  ValidationError,
  AuthenticationError,
  AuthorizationError,
  NotFoundError,
  ConflictError,
  RateLimitError,
  ServerError,
  WachtConnectionError,
  WachtTimeoutError,
  parseApiError,
  type WachtErrorInit,
} from "./core/errors.js";
export type { PaginatedResponse } from "./core/pagination.js";
export type { RequestOptions, CallOptions, HttpMethod, QueryParams } from "./core/request.js";
export type * from "./resources/users.types.js";
