import type { WachtClientStore } from "./client-store.js";
import { WachtError } from "./core/errors.js";
import { sendRequest, type CallOptions, type HttpMethod, type TransportConfig } from "./core/request.js";
import { AuditLogs } from "./resources/audit-logs.js";
import { OauthProviders } from "./resources/oauth-providers.js";
import { Users } from "./resources/users.js";
import { Webhooks } from "./resources/webhooks.js";

/** The server's default listen address, so a local `wacht serve` works with no settings. */
const DEFAULT_BASE_URL = "http://localhost:3000";
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 2;

export interface WachtClientOptions {
  /** Defaults to the `WACHT_API_KEY` environment variable. */
  apiKey?: string;
  /** Defaults to `WACHT_BACKEND_API_URL`, else http://localhost:3000. */
  baseUrl?: string;
  /** Milliseconds per attempt (default 30 000). */
  timeout?: number;
  /** Retries of a failed attempt, when safe (default 2). */
  maxRetries?: number;
  /** A fetch implementation, for runtimes without a global one or to instrument calls. */
  fetch?: typeof fetch;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /** With `store`: registers this client under the name (published SDK feature). */
  name?: string;
  store?: WachtClientStore;
}

/** The published SDK's name for the options. */
export type WachtConfig = WachtClientOptions;

export class WachtClient {
  readonly users: Users;
  readonly webhooks: Webhooks;
  readonly auditLogs: AuditLogs;
  readonly oauthProviders = new OauthProviders(this);
  readonly name?: string;
  // Private so that logging the client never prints the API key.
  readonly #options: WachtClientOptions;
  readonly #config: TransportConfig;

  constructor(options: WachtClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv("WACHT_API_KEY");
    if (!apiKey) {
      throw new WachtError("Missing API key: pass new WachtClient({ apiKey }) or set the WACHT_API_KEY environment variable.", undefined, undefined, {
        code: "missing_api_key",
      });
    }
    this.#options = options;
    this.#config = {
      apiKey,
      baseUrl: checkBaseUrl(options.baseUrl ?? readEnv("WACHT_BACKEND_API_URL") ?? DEFAULT_BASE_URL),
      timeout: checkCount("timeout", options.timeout ?? DEFAULT_TIMEOUT_MS),
      maxRetries: checkCount("maxRetries", options.maxRetries ?? DEFAULT_MAX_RETRIES),
      headers: { ...options.headers },
      fetch: options.fetch,
    };
    this.name = options.name;
    this.users = new Users(this);
    this.webhooks = new Webhooks(this);
    this.auditLogs = new AuditLogs(this);
    if (options.store && options.name) options.store.register(options.name, this);
  }

  /** A copy of this client with some defaults changed, e.g. `client.withOptions({ timeout: 5_000 })`. */
  withOptions(options: Omit<WachtClientOptions, "name" | "store">): WachtClient {
    const { name: _name, store: _store, ...inherited } = this.#options;
    return new WachtClient({ ...inherited, apiKey: this.#config.apiKey, ...options });
  }

  getBaseUrl(): string {
    return this.#config.baseUrl;
  }

  get<T>(path: string, options?: CallOptions): Promise<T> {
    return this.request("GET", path, undefined, options);
  }

  post<T>(path: string, body?: unknown, options?: CallOptions): Promise<T> {
    return this.request("POST", path, body, options);
  }

  put<T>(path: string, body?: unknown, options?: CallOptions): Promise<T> {
    return this.request("PUT", path, body, options);
  }

  patch<T>(path: string, body?: unknown, options?: CallOptions): Promise<T> {
    return this.request("PATCH", path, body, options);
  }

  delete<T>(path: string, options?: CallOptions): Promise<T> {
    return this.request("DELETE", path, undefined, options);
  }

  /** Any endpoint, through the same retries, timeouts and error mapping as the resource methods. */
  request<T>(method: HttpMethod, path: string, body?: unknown, options?: CallOptions): Promise<T> {
    return sendRequest<T>(this.#config, method, path, body, options);
  }
}

// Edge runtimes have no `process`, and Deno throws on env access without
// permission: neither should stop a client that was given its settings explicitly.
function readEnv(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    return env?.[name]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

function checkBaseUrl(baseUrl: string): string {
  try {
    new URL(baseUrl);
    return baseUrl;
  } catch {
    throw new WachtError(`Invalid baseUrl ${JSON.stringify(baseUrl)}: expected an absolute URL such as https://api.example.com`);
  }
}

function checkCount(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new WachtError(`Invalid ${name} ${value}: expected a number ≥ 0`);
  return value;
}
