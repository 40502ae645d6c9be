import {
  AuthenticationError,
  AuthorizationError,
  ConflictError,
  InternalError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  RequestError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
  type FieldErrors,
} from "./classes.js";
import { defineErrors, entry, fieldErrors } from "./define.js";

/**
 * Codes of the HTTP layer: input that fails its schema, requests the framework cannot read (these
 * keep the framework's own 4xx status where it gave one), the API key, rate limits, outages.
 */
export const httpErrors = defineErrors({
  validation_failed: entry(ValidationError, (details: FieldErrors, message?: string) => fieldErrors(details, message)),
  invalid_text: entry(ValidationError, () => "Text cannot contain NUL characters."),
  invalid_json: entry(RequestError, (statusCode?: number) => ({ message: "The request body is not valid JSON.", statusCode })),
  invalid_multipart: entry(RequestError, (statusCode?: number) => ({ message: "The multipart body could not be read.", statusCode })),
  invalid_content_length: entry(RequestError, (statusCode?: number) => ({ message: "The Content-Length header does not match the body.", statusCode })),
  invalid_path: entry(RequestError, (statusCode?: number) => ({
    message: "The URL path is not valid: a path parameter is badly percent-encoded or longer than any id.",
    statusCode,
  })),
  bad_request: entry(RequestError, (statusCode?: number) => ({ message: "The request could not be read.", statusCode })),
  body_not_allowed: entry(PayloadTooLargeError, () => "This route takes no request body."),
  cross_site_request: entry(AuthorizationError, (reason: string) => `Cross-site requests are refused (${reason}).`),
  payload_too_large: entry(PayloadTooLargeError, (statusCode?: number) => ({ message: "The request body is too large.", statusCode })),
  unsupported_media_type: entry(UnsupportedMediaTypeError, (statusCode?: number, message?: string) => ({
    message: message ?? "Unsupported Content-Type: send application/json (or multipart/form-data where a file is accepted).",
    statusCode,
  })),
  route_not_found: entry(NotFoundError, (method: string, url: string) => `No route ${method} ${url.split("?")[0]!.slice(0, 200)}.`),
  unauthenticated: entry(AuthenticationError, () => "A valid API key is required: send 'Authorization: Bearer <key>'."),
  rate_limited: entry(RateLimitError, (retryAfterSeconds: number) => ({
    message: `Too many requests: retry after ${retryAfterSeconds} s.`,
    retryAfterSeconds,
  })),
  internal_error: entry(InternalError, () => "Internal server error."),
  database_unavailable: entry(ServiceUnavailableError, () => "The database is unavailable; retry shortly."),
});

/** A unique index conflicts.ts does not know: still a 409, without a field. */
export const storageErrors = defineErrors({
  already_exists: entry(ConflictError, () => "A record with these values already exists."),
});
