/**
 * The retry policy as pure functions, so it can be read and unit-tested apart
 * from the request loop in request.ts.
 */

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A server asking for a longer pause than this gets an error, not a blocked caller. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Whether sending the same request twice leaves the same state as sending it
 * once. GET and DELETE are; a POST or PATCH only when the call says so (make-primary,
 * revoke, PATCHes of absolute values) or carries an Idempotency-Key.
 */
export function isSafeToRepeat(method: string, hints: { isSafeToRepeat?: boolean; idempotencyKey?: string } = {}): boolean {
  if (hints.isSafeToRepeat || hints.idempotencyKey !== undefined) return true;
  switch (method.toUpperCase()) {
    case "GET":
    case "HEAD":
    case "OPTIONS":
    case "PUT":
    case "DELETE":
      return true;
    default:
      return false;
  }
}

/**
 * Whether a failed attempt is worth another. `status` is null when no HTTP
 * answer came back (refused, reset, timed out).
 */
export function shouldRetry(status: number | null, safeToRepeat: boolean): boolean {
  // Rate limiting answers before the request runs, so even a create is safe to send again.
  if (status === 429) return true;
  // A request that may already have taken effect (createUser, addEmail) is never
  // repeated blindly: a second user or a duplicate-email 409 would be worse than the error.
  if (!safeToRepeat) return false;
  if (status === null) return true; // no answer: the server may be restarting
  switch (status) {
    case 502: // bad gateway: a proxy could not reach the server
    case 503: // unavailable: overloaded or deploying
    case 504: // gateway timeout: a proxy gave up waiting
      return true;
    default:
      // Every other 4xx is our request's fault and will fail the same way again;
      // 409 in particular means "already taken", never "try again".
      return false;
  }
}

/**
 * The server's requested pause, from `retry-after-ms` (milliseconds) or
 * `Retry-After` (seconds or an HTTP date). Null when absent or unreadable.
 */
export function parseRetryAfterMs(headers: { get(name: string): string | null }, nowMs = Date.now()): number | null {
  const milliseconds = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers.get("retry-after")?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number.parseFloat(value) * 1000;
  // An HTTP date names its weekday; without letters, Date.parse would accept "-5" as a year.
  const dateMs = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(dateMs)) return null;
  return Math.max(0, dateMs - nowMs);
}

/**
 * How long to wait before retry number `retryIndex` (0 for the first retry).
 * The server's Retry-After wins; otherwise 0.5 s doubling up to 8 s, minus up to
 * 25 % jitter so clients that failed together don't come back together.
 * Returns null when the server asks for more than 60 s: give up and let the caller decide.
 */
export function retryDelayMs(retryIndex: number, retryAfterMs: number | null, random: () => number = Math.random): number | null {
  if (retryAfterMs !== null) return retryAfterMs <= MAX_RETRY_AFTER_MS ? retryAfterMs : null;
  const delay = Math.min(INITIAL_DELAY_MS * 2 ** retryIndex, MAX_DELAY_MS);
  return delay * (1 - random() * 0.25);
}
