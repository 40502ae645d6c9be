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
  /**
   * Redis shared by every instance for rate-limit counters. Without it each instance counts on
   * its own, so N instances behind a load balancer allow up to N × rateLimitMax.
   */
  redisUrl: string | undefined;
  logLevel: string;
  /** Public URL of this server, for links such as profile pictures; defaults to http://HOST:PORT. */
  publicUrl: string | undefined;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: readInteger(env, "PORT", 3000, 0, 65535),
    host: env.HOST || "127.0.0.1",
    databaseUrl: env.DATABASE_URL || "sqlite:./data/wacht.db",
    apiKey: env.WACHT_API_KEY || undefined,
    databasePoolSize: readInteger(env, "WACHT_DB_POOL_SIZE", 10, 1, 1000),
    rateLimitMax: readInteger(env, "WACHT_RATE_LIMIT_MAX", 6000, 0, 10_000_000),
    rateLimitWindowMs: readInteger(env, "WACHT_RATE_LIMIT_WINDOW_MS", 60_000, 1000, 86_400_000),
    redisUrl: env.WACHT_REDIS_URL || undefined,
    logLevel: env.WACHT_LOG_LEVEL || "info",
    publicUrl: env.WACHT_PUBLIC_URL || undefined,
  };
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
