import { isIP } from "node:net";
import { fileURLToPath } from "node:url";
import { parseEncryptionKey } from "./crypto/secret-box.js";
import { parseFrontendApiUrl } from "./deployments/frontend-api.js";
import { DEFAULT_RETRY_SCHEDULE_MS, parseRetrySchedule } from "./webhooks/retry-schedule.js";
import { readOauthEnvironment, type OauthEnvironment } from "./oauth-providers/oauth-environment.js";

/** Every setting the server reads from its environment, read once, here. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** When set, this key is accepted for the default deployment (stored hashed at start). */
  apiKey: string | undefined;
  /** Postgres connections per instance. */
  databasePoolSize: number;
  /** Requests per API key per window; 0 turns the limit off. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Sign-in attempts per client address per rate-limit window (credential stuffing); 0 turns it off. */
  signInRateLimitMax: number;
  /**
   * Which X-Forwarded-For entries are believed (Fastify's trustProxy): none (false), the number of
   * proxies in front of us, or the proxies' addresses/CIDRs. Never "true": that believes whatever
   * a client writes. Set it behind a load balancer, so sessions record and limits count the
   * client's address.
   */
  trustProxy: false | number | string[];
  /** Failed API-key attempts per client address per rate-limit window before 429; 0 turns it off. */
  apiKeyFailureMax: number;
  /** The whole request (headers and body) must arrive within this; a trickling client is cut off. */
  requestTimeoutMs: number;
  /** The headers must arrive within this. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all is closed after this. */
  connectionTimeoutMs: number;
  /**
   * Redis shared by every instance for rate-limit counters. Without it each instance counts on
   * its own, so N instances behind a load balancer allow up to N × rateLimitMax.
   */
  redisUrl: string | undefined;
  logLevel: string;
  /** Public URL of this server, for links such as profile pictures; defaults to http://HOST:PORT. */
  publicUrl: string | undefined;
  /**
   * The default deployment's frontend API URL (sign-in, session tokens, JWKS): the `iss` of its
   * tokens and what its publishable key encodes. Defaults to the public URL, else the URL a
   * request arrives on.
   */
  frontendApiUrl: string | undefined;
  /** How long a session lasts without activity; each use (at most once an hour) extends it. */
  sessionLifetimeSeconds: number;
  /** Lifetime of a session token (the JWT an app's backend verifies offline). */
  sessionTokenLifetimeSeconds: number;
  /** Failed sign-ins of one address on one account within `signInFailureWindowSeconds` that shut that address out of that account... */
  signInMaxFailures: number;
  /** ...after this many, each further try waits (1 s, doubling); */
  signInFreeAttempts: number;
  /** failures on one account from every address that lock it for addresses that never signed in to it. */
  signInAccountMaxFailures: number;
  signInFailureWindowSeconds: number;
  /** ...for this long (an admin can unlock sooner). */
  lockoutSeconds: number;
  /**
   * Keys that seal secret material at rest (crypto/secret-box.ts), from WACHT_ENCRYPTION_KEY
   * (comma-separated; the first seals). Empty: a key file is used (crypto/encryption-key.ts).
   */
  encryptionKeys: Buffer[];
  /** WACHT_ENCRYPTION_KEY_FILE: where the key file is, when WACHT_ENCRYPTION_KEY is not set. */
  encryptionKeyFile: string | undefined;
  /** An admin console session ends after this long without use. */
  consoleIdleSeconds: number;
  /** The built console (index.html and assets/) served at /console; defaults to packages/console/dist. */
  consoleDirectory: string;
  /**
   * WACHT_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true lets endpoints point at loopback, private, link-local
   * and metadata addresses (receivers on the server's own network; tests). Off by default (SSRF).
   */
  webhookAllowPrivateNetworks: boolean;
  /** Waits between delivery attempts (WACHT_WEBHOOK_RETRY_SCHEDULE, e.g. "5s,5m,30m,2h,5h,10h,10h"). */
  webhookRetryScheduleMs: number[];
  /** An endpoint's timeout when it sets none (WACHT_WEBHOOK_TIMEOUT_SECONDS). */
  webhookTimeoutSeconds: number;
  /** How often the dispatcher looks for due deliveries besides the wake-up after each write. */
  webhookPollIntervalMs: number;
  /**
   * How long a claimed delivery stays with its dispatcher before another instance may take it
   * (a crashed instance's work). Longer than the longest endpoint timeout (30 s).
   */
  webhookLeaseMs: number;
  /** An endpoint failing with no success for this long is disabled (WACHT_WEBHOOK_DISABLE_AFTER_HOURS). */
  webhookDisableAfterMs: number;
  /** How long a rotated-out signing secret keeps signing next to the new one. */
  webhookPreviousSecretTtlMs: number;
  /** Whether this instance delivers webhooks (WACHT_WEBHOOK_DISPATCHER=false: it only serves the API). */
  webhookDispatcherEnabled: boolean;
  /** Audit entries older than this are deleted (WACHT_AUDIT_LOG_RETENTION_DAYS); 0 keeps them forever. */
  auditLogRetentionDays: number;
  /** The default deployment's OAuth providers and settings from WACHT_OAUTH_* (written to it at start). */
  oauth: OauthEnvironment;
  /** How long a social sign-in may take between leaving for the provider and coming back. */
  oauthStateLifetimeSeconds: number;
  /** Timeout of each call to an identity provider (discovery, token, JWKS, user API). */
  oauthProviderTimeoutMs: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: readInteger(env, "PORT", 3000, 0, 65535),
    host: env.HOST || "127.0.0.1",
    databaseUrl: env.DATABASE_URL || "sqlite:./data/wacht.db",
    apiKey: readOperatorApiKey(env.WACHT_API_KEY),
    databasePoolSize: readInteger(env, "WACHT_DB_POOL_SIZE", 10, 1, 1000),
    rateLimitMax: readInteger(env, "WACHT_RATE_LIMIT_MAX", 6000, 0, 10_000_000),
    rateLimitWindowMs: readInteger(env, "WACHT_RATE_LIMIT_WINDOW_MS", 60_000, 1000, 86_400_000),
    signInRateLimitMax: readInteger(env, "WACHT_SIGN_IN_RATE_LIMIT_MAX", 30, 0, 1_000_000),
    trustProxy: readTrustProxy(env.WACHT_TRUST_PROXY),
    apiKeyFailureMax: readInteger(env, "WACHT_API_KEY_FAILURE_MAX", 20, 0, 1_000_000),
    requestTimeoutMs: readInteger(env, "WACHT_REQUEST_TIMEOUT_MS", 30_000, 100, 600_000),
    headersTimeoutMs: readInteger(env, "WACHT_HEADERS_TIMEOUT_MS", 10_000, 100, 600_000),
    keepAliveTimeoutMs: readInteger(env, "WACHT_KEEP_ALIVE_TIMEOUT_MS", 5_000, 100, 600_000),
    connectionTimeoutMs: readInteger(env, "WACHT_CONNECTION_TIMEOUT_MS", 60_000, 100, 3_600_000),
    redisUrl: env.WACHT_REDIS_URL || undefined,
    logLevel: env.WACHT_LOG_LEVEL || "info",
    publicUrl: env.WACHT_PUBLIC_URL || undefined,
    frontendApiUrl: readOrigin(env, "WACHT_FRONTEND_API_URL"),
    sessionLifetimeSeconds: readInteger(env, "WACHT_SESSION_LIFETIME_SECONDS", 30 * 86_400, 60, 366 * 86_400),
    sessionTokenLifetimeSeconds: readInteger(env, "WACHT_SESSION_TOKEN_LIFETIME_SECONDS", 60, 1, 86_400),
    signInMaxFailures: readInteger(env, "WACHT_SIGN_IN_MAX_FAILURES", 10, 1, 1000),
    signInFreeAttempts: readInteger(env, "WACHT_SIGN_IN_FREE_ATTEMPTS", 3, 1, 1000),
    signInAccountMaxFailures: readInteger(env, "WACHT_SIGN_IN_ACCOUNT_MAX_FAILURES", 100, 1, 1_000_000),
    signInFailureWindowSeconds: readInteger(env, "WACHT_SIGN_IN_FAILURE_WINDOW_SECONDS", 3600, 1, 30 * 86_400),
    lockoutSeconds: readInteger(env, "WACHT_LOCKOUT_SECONDS", 3600, 1, 30 * 86_400),
    encryptionKeys: readEncryptionKeys(env.WACHT_ENCRYPTION_KEY),
    encryptionKeyFile: env.WACHT_ENCRYPTION_KEY_FILE || undefined,
    consoleIdleSeconds: readInteger(env, "WACHT_CONSOLE_IDLE_SECONDS", 30 * 60, 60, 7 * 86_400),
    consoleDirectory: env.WACHT_CONSOLE_DIR || fileURLToPath(new URL("../../console/dist", import.meta.url)),
    webhookAllowPrivateNetworks: readBoolean(env, "WACHT_WEBHOOK_ALLOW_PRIVATE_NETWORKS", false),
    webhookRetryScheduleMs: readRetrySchedule(env.WACHT_WEBHOOK_RETRY_SCHEDULE),
    webhookTimeoutSeconds: readInteger(env, "WACHT_WEBHOOK_TIMEOUT_SECONDS", 15, 1, 30),
    webhookPollIntervalMs: readInteger(env, "WACHT_WEBHOOK_POLL_INTERVAL_MS", 1000, 10, 600_000),
    webhookLeaseMs: readInteger(env, "WACHT_WEBHOOK_LEASE_MS", 120_000, 1000, 3_600_000),
    webhookDisableAfterMs: readInteger(env, "WACHT_WEBHOOK_DISABLE_AFTER_HOURS", 5 * 24, 0, 365 * 24) * 3_600_000,
    webhookPreviousSecretTtlMs: 24 * 3_600_000,
    webhookDispatcherEnabled: readBoolean(env, "WACHT_WEBHOOK_DISPATCHER", true),
    auditLogRetentionDays: readInteger(env, "WACHT_AUDIT_LOG_RETENTION_DAYS", 0, 0, 100 * 365),
    oauth: readOauthEnvironment(env),
    oauthStateLifetimeSeconds: readInteger(env, "WACHT_OAUTH_STATE_LIFETIME_SECONDS", 600, 30, 3600),
    oauthProviderTimeoutMs: readInteger(env, "WACHT_OAUTH_PROVIDER_TIMEOUT_MS", 10_000, 100, 120_000),
  };
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new Error(`${name} must be true or false, got '${raw}'.`);
}

function readRetrySchedule(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === "") return DEFAULT_RETRY_SCHEDULE_MS;
  const schedule = parseRetrySchedule(raw);
  if (!schedule || schedule.length > 20)
    throw new Error(`WACHT_WEBHOOK_RETRY_SCHEDULE must be up to 20 comma-separated waits such as 5s,5m,30m,2h (units ms, s, m, h, d), got '${raw}'.`);
  return schedule;
}

function readEncryptionKeys(raw: string | undefined): Buffer[] {
  if (raw === undefined || raw.trim() === "") return [];
  return raw.split(",").map((text, index) => {
    const key = parseEncryptionKey(text);
    if (!key)
      throw new Error(`WACHT_ENCRYPTION_KEY: key ${index + 1} must be 32 bytes, as 64 hex characters or base64 (generate one with: openssl rand -hex 32).`);
    return key;
  });
}

/** The shortest WACHT_API_KEY accepted: a key anyone may guess at is only as strong as its length. */
export const MIN_OPERATOR_API_KEY_LENGTH = 32;

function readOperatorApiKey(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (raw.length < MIN_OPERATOR_API_KEY_LENGTH || raw.length > 512 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new Error(
      `WACHT_API_KEY must be ${MIN_OPERATOR_API_KEY_LENGTH} to 512 visible ASCII characters (got ${raw.length}): anyone can try keys against the API, ` +
        "so a short key can be guessed. Generate one with: openssl rand -hex 32 (or leave it unset and the server prints a new key).",
    );
  }
  return raw;
}

/**
 * "false"/unset: no proxy. A whole number: that many proxies in front (the client is the entry
 * that many hops back in X-Forwarded-For). Otherwise comma-separated addresses or CIDRs of the
 * proxies (or proxy-addr's names loopback, linklocal, uniquelocal). "true" is refused: it believes
 * the first X-Forwarded-For entry, which any client can forge.
 */
export function readTrustProxy(raw: string | undefined): false | number | string[] {
  const text = raw?.trim() ?? "";
  if (text === "" || text === "false") return false;
  if (text === "true") {
    throw new Error(
      "WACHT_TRUST_PROXY=true would believe any X-Forwarded-For a client sends (forged addresses in sessions, sign-in limits bypassed). " +
        "Give the number of proxies in front of the server (e.g. 1), or their addresses/CIDRs (e.g. 10.0.0.0/8,192.168.1.10).",
    );
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > 16) throw new Error(`WACHT_TRUST_PROXY: a proxy count must be 1 to 16, got '${text}'.`);
    return hops;
  }
  const entries = text.split(",").map((entry) => entry.trim());
  for (const entry of entries) {
    if (!isProxyAddress(entry))
      throw new Error(`WACHT_TRUST_PROXY: '${entry.slice(0, 100)}' is not an address, a CIDR (10.0.0.0/8) or loopback/linklocal/uniquelocal.`);
  }
  return entries;
}

function isProxyAddress(entry: string): boolean {
  if (["loopback", "linklocal", "uniquelocal"].includes(entry)) return true;
  const [address = "", prefix, extra] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got '${raw}'.`);
  }
  return value;
}

/** An http(s) origin such as https://auth.example.com; a trailing slash is dropped, a path refused. */
function readOrigin(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const parsed = parseFrontendApiUrl(raw);
  if (!parsed) throw new Error(`${name} must be an http(s) origin such as https://auth.example.com (no path), got '${raw}'.`);
  return parsed.url;
}
