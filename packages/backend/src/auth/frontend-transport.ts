import type { TransportConfig } from "../core/request.js";
import { frontendApiUrlOf } from "./publishable-key.js";
import type { WachtServerOptions } from "./types.js";

/** An app's middleware waits on these calls: fail fast rather than hang a page for 30 s. */
const DEFAULT_FRONTEND_TIMEOUT_MS = 10_000;
const DEFAULT_FRONTEND_MAX_RETRIES = 1;

/**
 * How the session helpers reach the frontend API (session exchange, JWKS): through core's one
 * request path, with its timeout, retries of safe calls, injected fetch and error mapping, and
 * without an API key (the frontend API is public; the session travels in its cookie).
 */
export function frontendTransportOf(options: WachtServerOptions): TransportConfig {
  return {
    baseUrl: frontendApiUrlOf(options),
    apiKey: undefined,
    timeout: options.timeout ?? DEFAULT_FRONTEND_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? DEFAULT_FRONTEND_MAX_RETRIES,
    headers: {},
    fetch: options.fetch,
  };
}
