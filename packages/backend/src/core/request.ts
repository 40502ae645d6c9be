import { errorFromResponse, WachtConnectionError, WachtError, WachtTimeoutError } from "./errors.js";
import { isSafeToRepeat, parseRetryAfterMs, retryDelayMs, shouldRetry } from "./retry.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

type QueryValue = string | number | boolean | null | undefined;
export type QueryParams = Record<string, QueryValue | readonly QueryValue[]>;

/** Per-call overrides of the client's defaults; always the last argument of a method. */
export interface RequestOptions {
  /** Milliseconds to wait for each attempt's full answer. */
  timeout?: number;
  /** Retries after the first attempt, for failures worth retrying. */
  maxRetries?: number;
  /** Aborts the call, including any wait between retries. */
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Sent as `Idempotency-Key`; it also makes a create call safe to retry. */
  idempotencyKey?: string;
}

/** What a resource method adds to the caller's options. */
export interface CallOptions extends RequestOptions {
  query?: QueryParams;
  /** The call is idempotent even though its method (POST, PATCH) is not in general. */
  isSafeToRepeat?: boolean;
  /**
   * The answer holds a secret (backup codes, an otpauth URL). Such a call gets no automatic
   * Idempotency-Key: the server keeps the answer to a keyed request so it can replay it, and
   * a secret must not sit in that store.
   */
  isAnswerSecret?: boolean;
}

/** The client's settled defaults (see client.ts). */
export interface TransportConfig {
  baseUrl: string;
  /** Sent as the Bearer token; the frontend API calls (session exchange, JWKS) have none. */
  apiKey: string | undefined;
  timeout: number;
  maxRetries: number;
  headers: Record<string, string>;
  fetch: typeof fetch | undefined;
}

/**
 * The one request path: every method of every resource ends here. Sends the
 * request, retries what shouldRetry() allows, and turns any failure into a
 * WachtError subclass. A caller's abort is rethrown as the signal's own reason.
 */
export async function sendRequest<T>(config: TransportConfig, method: HttpMethod, path: string, body: unknown, options: CallOptions = {}): Promise<T> {
  return (await sendRequestWithResponse<T>(config, method, path, body, options)).data;
}

/** A successful answer with the headers it came with (Set-Cookie, x-request-id …). */
export interface AnswerWithHeaders<T> {
  data: T;
  status: number;
  headers: Headers;
}

/** sendRequest, keeping the answer's status and headers for the few callers that need them. */
export async function sendRequestWithResponse<T>(
  config: TransportConfig,
  method: HttpMethod,
  path: string,
  body: unknown,
  options: CallOptions = {},
): Promise<AnswerWithHeaders<T>> {
  const maxRetries = options.maxRetries ?? config.maxRetries;
  options = withAutomaticIdempotencyKey(method, options, maxRetries);
  const safeToRepeat = isSafeToRepeat(method, options);
  const url = buildUrl(config.baseUrl, path, options.query);
  for (let retryIndex = 0; ; retryIndex++) {
    try {
      return await attemptRequest<T>(config, method, url, body, options);
    } catch (error) {
      const delayMs = retryIndex < maxRetries ? retryDelayFor(error, safeToRepeat, retryIndex) : null;
      if (delayMs === null) throw error;
      await sleep(delayMs, options.signal);
    }
  }
}

/**
 * A create (POST/PATCH that is not naturally idempotent) that may be retried gets an
 * Idempotency-Key of its own, the same on every attempt: the Wacht server then runs it once and
 * replays its answer, so retrying after a timeout can never create a second user.
 */
function withAutomaticIdempotencyKey(method: HttpMethod, options: CallOptions, maxRetries: number): CallOptions {
  if (maxRetries <= 0 || options.idempotencyKey !== undefined || options.isAnswerSecret || isSafeToRepeat(method, options)) return options;
  const randomUUID = globalThis.crypto?.randomUUID?.bind(globalThis.crypto);
  if (!randomUUID) return options; // no Web Crypto (Node 18 without the flag): such calls are simply not retried
  return { ...options, idempotencyKey: `wacht-retry-${randomUUID()}` };
}

function retryDelayFor(error: unknown, safeToRepeat: boolean, retryIndex: number): number | null {
  if (!(error instanceof WachtError)) return null; // the caller aborted, or a bug: not ours to repeat
  const status = error instanceof WachtConnectionError ? null : error.statusCode;
  if (status === undefined) return null; // raised before sending (a bad id): repeating changes nothing
  if (!shouldRetry(status, safeToRepeat)) return null;
  return retryDelayMs(retryIndex, error.headers ? parseRetryAfterMs(error.headers) : null);
}

async function attemptRequest<T>(config: TransportConfig, method: HttpMethod, url: string, body: unknown, options: CallOptions): Promise<AnswerWithHeaders<T>> {
  const { signal } = options;
  signal?.throwIfAborted();
  const timeoutMs = options.timeout ?? config.timeout;
  // One controller per attempt, fed by both the caller's signal and our timer
  // (AbortSignal.any would do this but is missing before Node 20.3).
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", forwardAbort, { once: true });
  let didTimeOut = false;
  const timer = setTimeout(() => {
    didTimeOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const fetchImpl = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
    // credentials "omit": a browser-like runtime must never attach its own cookies to these calls.
    const response = await fetchImpl(url, { method, ...encodeBody(body, buildHeaders(config, options)), credentials: "omit", signal: controller.signal });
    // The timer stays armed while the body streams: a server that sends headers and then stalls is still a timeout.
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, parseJson(text) ?? text, response.headers);
    const data = (parseJson(text) ?? (text === "" ? undefined : text)) as T;
    return { data, status: response.status, headers: response.headers };
  } catch (error) {
    if (error instanceof WachtError) throw error;
    if (signal?.aborted) throw signal.reason;
    // The query is left out of messages: it can hold an email address (getUserByEmail), and messages get logged.
    const target = url.split("?")[0];
    if (didTimeOut) throw new WachtTimeoutError(`Request timed out after ${timeoutMs} ms: ${method} ${target}`, { cause: error });
    throw new WachtConnectionError(`Could not reach ${target}: ${describeCause(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", forwardAbort);
  }
}

function buildHeaders(config: TransportConfig, options: CallOptions): Headers {
  const headers = new Headers({ accept: "application/json" });
  for (const [name, value] of Object.entries({ ...config.headers, ...options.headers })) headers.set(name, value);
  // Set last so a stray header option cannot swap the key.
  if (config.apiKey !== undefined) headers.set("authorization", `Bearer ${config.apiKey}`);
  if (options.idempotencyKey !== undefined) headers.set("idempotency-key", options.idempotencyKey);
  return headers;
}

function encodeBody(body: unknown, headers: Headers): { headers: Headers; body?: BodyInit } {
  if (body === undefined) return { headers };
  if (body instanceof FormData) {
    // fetch writes the multipart content-type itself; only it knows the boundary.
    headers.delete("content-type");
    return { headers, body };
  }
  headers.set("content-type", "application/json");
  return { headers, body: JSON.stringify(body) };
}

export function buildUrl(baseUrl: string, path: string, query: QueryParams | undefined): string {
  // Joined as text rather than new URL(path, base), which would drop a path prefix in baseUrl.
  const url = new URL(baseUrl.replace(/\/+$/, "") + path);
  for (const [name, value] of Object.entries(query ?? {})) {
    const values: readonly QueryValue[] = Array.isArray(value) ? value : [value];
    for (const item of values) if (item !== undefined && item !== null) url.searchParams.append(name, String(item));
  }
  return url.toString();
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// undici reports "fetch failed" and keeps the useful part (ECONNREFUSED …) in `cause`.
function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return error.message + cause;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
