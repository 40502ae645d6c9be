/**
 * Every error we answer on purpose. The message is for humans; `code` is the stable contract
 * clients may branch on. http/error-handler.ts is the only place these become HTTP responses.
 */
export type FieldErrors = Record<string, string>;

export class WachtError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: FieldErrors,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends WachtError {
  constructor(message: string, details?: FieldErrors, code = "validation_failed") {
    super(400, code, message, details);
  }

  static field(field: string, rule: string, code = "validation_failed"): ValidationError {
    return new ValidationError(`${field}: ${rule}`, { [field]: rule }, code);
  }
}

export class AuthenticationError extends WachtError {
  constructor(message = "A valid API key is required: send 'Authorization: Bearer <key>'.", code = "unauthenticated") {
    super(401, code, message);
  }
}

export class AuthorizationError extends WachtError {
  constructor(message: string, code = "forbidden") {
    super(403, code, message);
  }
}

export class NotFoundError extends WachtError {
  constructor(message: string, code: string) {
    super(404, code, message);
  }
}

export class ConflictError extends WachtError {
  constructor(message: string, code: string, field?: string) {
    super(409, code, message, field ? { [field]: message } : undefined);
  }
}

export class PayloadTooLargeError extends WachtError {
  constructor(message: string, code = "payload_too_large", details?: FieldErrors) {
    super(413, code, message, details);
  }
}

export class UnsupportedMediaTypeError extends WachtError {
  constructor(message: string) {
    super(415, "unsupported_media_type", message);
  }
}

export class RateLimitError extends WachtError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, "rate_limited", `Too many requests: retry after ${retryAfterSeconds} s.`);
  }
}

export class ServiceUnavailableError extends WachtError {
  constructor(message = "The database is unavailable; retry shortly.", code = "database_unavailable") {
    super(503, code, message);
  }
}

export const userNotFound = (userId: string) => new NotFoundError(`No user with id '${userId}'.`, "user_not_found");
