/**
 * The error classes, one per status. A class never picks its code: every code, with its class and
 * message, is defined once in the catalogue (errors/*.ts, merged in ../errors.ts). The message is
 * for humans; `code` is the stable contract clients may branch on. http/error-handler.ts is the
 * only place these become HTTP responses.
 */
export type FieldErrors = Record<string, string>;

export interface ErrorDescription {
  message: string;
  details?: FieldErrors;
  /** Only for errors the framework raised: its own 4xx status, kept as it was (RequestError). */
  statusCode?: number;
}

export class WachtError extends Error {
  static readonly statusCode: number = 500;
  readonly statusCode: number;
  readonly details?: FieldErrors;

  constructor(
    readonly code: string,
    description: ErrorDescription,
  ) {
    super(description.message);
    this.name = new.target.name;
    this.statusCode = description.statusCode ?? new.target.statusCode;
    if (description.details) this.details = description.details;
  }
}

export class ValidationError extends WachtError {
  static override readonly statusCode = 400;
}

/** A request the framework could not read (bad JSON, bad multipart, bad URL): 400 unless the framework said another 4xx. */
export class RequestError extends WachtError {
  static override readonly statusCode = 400;
}

export class AuthenticationError extends WachtError {
  static override readonly statusCode = 401;
}

export class AuthorizationError extends WachtError {
  static override readonly statusCode = 403;
}

export class NotFoundError extends WachtError {
  static override readonly statusCode = 404;
}

export class ConflictError extends WachtError {
  static override readonly statusCode = 409;
}

export class PayloadTooLargeError extends WachtError {
  static override readonly statusCode = 413;
}

export class UnsupportedMediaTypeError extends WachtError {
  static override readonly statusCode = 415;
}

/** Well-formed, but it contradicts what the server already holds (an Idempotency-Key reused for another request). */
export class UnprocessableError extends WachtError {
  static override readonly statusCode = 422;
}

export class RateLimitError extends WachtError {
  static override readonly statusCode = 429;
  readonly retryAfterSeconds: number;

  constructor(code: string, description: ErrorDescription & { retryAfterSeconds: number }) {
    super(code, description);
    this.retryAfterSeconds = description.retryAfterSeconds;
  }
}

export class InternalError extends WachtError {
  static override readonly statusCode = 500;
}

/** A route of the published client this server does not serve (yet): said plainly, never faked. */
export class NotImplementedError extends WachtError {
  static override readonly statusCode = 501;
}

export class ServiceUnavailableError extends WachtError {
  static override readonly statusCode = 503;
}
