import type { WachtErrorCode } from "./error-codes.js";
import { parseRetryAfterMs } from "./retry.js";

/** Codes this package raises itself, without (or before) an answer from the server. */
export type WachtClientErrorCode = "missing_api_key" | "invalid_path_parameter" | "connection_error" | "timeout";

/**
 * A stable snake_case code. The known ones autocomplete; `string & {}` keeps the type open
 * because a newer server may answer a code this build has never heard of, and that code must
 * reach the caller as it is, not be hidden behind a type that claims it cannot exist.
 */
export type ErrorCode = WachtErrorCode | WachtClientErrorCode | (string & {});

/** What the server (or the transport) told us beyond the message. */
export interface WachtErrorInit {
  /** Stable snake_case code from the server's envelope, e.g. `email_taken`. */
  code?: ErrorCode;
  details?: unknown;
  /** The `x-request-id` of the answer: quote it when reporting a problem. */
  requestId?: string;
  headers?: Headers;
  cause?: unknown;
}

/**
 * Base of every error this package throws. The constructor keeps the published
 * SDK's signature `(message, statusCode?, details?)` so code that builds or
 * matches these errors keeps working.
 */
export class WachtError extends Error {
  statusCode?: number;
  details?: unknown;
  code?: ErrorCode;
  requestId?: string;
  headers?: Headers;

  constructor(message: string, statusCode?: number, details?: unknown, init: WachtErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "WachtError";
    this.statusCode = statusCode;
    this.details = details ?? init.details;
    this.code = init.code;
    this.requestId = init.requestId;
    this.headers = init.headers;
  }
}

/** 400: the request was refused as invalid; `details` lists the failing fields. */
export class ValidationError extends WachtError {
  constructor(message: string, details?: unknown, init?: WachtErrorInit) {
    super(message, 400, details, init);
    this.name = "ValidationError";
  }
}

/** 401: the API key is missing, malformed or revoked. */
export class AuthenticationError extends WachtError {
  constructor(message = "Authentication failed", init?: WachtErrorInit) {
    super(message, 401, undefined, init);
    this.name = "AuthenticationError";
  }
}

/** 403: the API key may not do this. */
export class AuthorizationError extends WachtError {
  constructor(message = "Authorization failed", init?: WachtErrorInit) {
    super(message, 403, undefined, init);
    this.name = "AuthorizationError";
  }
}

/** 404: no such user, email, phone, connection or sign-in in the key's deployment. */
export class NotFoundError extends WachtError {
  constructor(message = "Resource not found", init?: WachtErrorInit) {
    super(message, 404, undefined, init);
    this.name = "NotFoundError";
  }
}

/** 409: a unique value (email, phone, username) is taken; the message names the field. */
export class ConflictError extends WachtError {
  constructor(message: string, init?: WachtErrorInit) {
    super(message, 409, undefined, init);
    this.name = "ConflictError";
  }
}

/** 413: the body (or a file in it) is larger than the route accepts; `details` names the field. */
export class PayloadTooLargeError extends WachtError {
  constructor(message = "Payload too large", init?: WachtErrorInit) {
    super(message, 413, undefined, init);
    this.name = "PayloadTooLargeError";
  }
}

/** 415: the route does not take a body of this content type. */
export class UnsupportedMediaTypeError extends WachtError {
  constructor(message = "Unsupported media type", init?: WachtErrorInit) {
    super(message, 415, undefined, init);
    this.name = "UnsupportedMediaTypeError";
  }
}

/** 422: well-formed but refused, e.g. a wrong password or code in verifyPassword / verifyTotp. */
export class UnprocessableEntityError extends WachtError {
  constructor(message = "Unprocessable entity", init?: WachtErrorInit) {
    super(message, 422, undefined, init);
    this.name = "UnprocessableEntityError";
  }
}

/** 429: too many requests. `retryAfter` is the server's wait in seconds, when it sent one. */
export class RateLimitError extends WachtError {
  retryAfter?: number;

  constructor(message = "Rate limit exceeded", init: WachtErrorInit & { retryAfter?: number } = {}) {
    super(message, 429, undefined, init);
    this.name = "RateLimitError";
    this.retryAfter = init.retryAfter;
  }
}

/** 5xx: the server failed. `statusCode` is the real status (500, 502, 503, 504 …). */
export class ServerError extends WachtError {
  constructor(message = "Internal server error", init: WachtErrorInit & { statusCode?: number } = {}) {
    super(message, init.statusCode ?? 500, undefined, init);
    this.name = "ServerError";
  }
}

/** No HTTP answer at all: refused, reset, DNS failure. `cause` holds the runtime's error. */
export class WachtConnectionError extends WachtError {
  constructor(message = "Connection error", init: WachtErrorInit = {}) {
    super(message, undefined, undefined, { code: "connection_error", ...init });
    this.name = "WachtConnectionError";
  }
}

/** No answer within the per-attempt timeout (after any retries). */
export class WachtTimeoutError extends WachtConnectionError {
  constructor(message = "Request timed out", init: WachtErrorInit = {}) {
    super(message, { code: "timeout", ...init });
    this.name = "WachtTimeoutError";
  }
}

/**
 * The one status → class table. `body` is the parsed JSON envelope, or the raw
 * text when the answer was not JSON (a proxy's HTML page keeps its status).
 */
export function errorFromResponse(status: number, body: unknown, headers?: Headers): WachtError {
  const envelope = isRecord(body) ? body : {};
  const message = readMessage(envelope) ?? readText(body) ?? `Request failed with status ${status}`;
  const init: WachtErrorInit = {
    code: typeof envelope["code"] === "string" ? envelope["code"] : undefined,
    details: envelope["details"],
    requestId: headers?.get("x-request-id") ?? undefined,
    headers,
  };
  switch (status) {
    case 400:
      return new ValidationError(message, undefined, init);
    case 401:
      return new AuthenticationError(message, init);
    case 403:
      return new AuthorizationError(message, init);
    case 404:
      return new NotFoundError(message, init);
    case 409:
      return new ConflictError(message, init);
    case 413:
      return new PayloadTooLargeError(message, init);
    case 415:
      return new UnsupportedMediaTypeError(message, init);
    case 422:
      return new UnprocessableEntityError(message, init);
    case 429:
      return new RateLimitError(message, { ...init, retryAfter: readRetryAfterSeconds(headers) });
  }
  if (status >= 500) return new ServerError(message, { ...init, statusCode: status });
  return new WachtError(message, status, undefined, init);
}

/** The published SDK's name for the table, kept for code that calls it. */
export function parseApiError(statusCode: number, data: unknown): WachtError {
  return errorFromResponse(statusCode, data);
}

// Our envelope has a top-level `message`; reference servers only fill `errors[0].message`.
function readMessage(envelope: Record<string, unknown>): string | undefined {
  if (typeof envelope["message"] === "string" && envelope["message"]) return envelope["message"];
  const errors = envelope["errors"];
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (isRecord(first) && typeof first["message"] === "string" && first["message"]) return first["message"];
  return undefined;
}

// A long HTML error page would bury the message, so keep its start only.
function readText(body: unknown): string | undefined {
  const text = typeof body === "string" ? body.trim() : "";
  return text ? text.slice(0, 500) : undefined;
}

function readRetryAfterSeconds(headers: Headers | undefined): number | undefined {
  const ms = headers ? parseRetryAfterMs(headers) : null;
  return ms === null ? undefined : ms / 1000;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
