import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Config } from "../config.js";
import { errors } from "../errors.js";
import { clientAddressKeyOf } from "./client-address.js";

interface RateLimitPolicy {
  name: string;
  /** Requests allowed per window; 0 turns this limit off. */
  max(config: Config): number;
  /** Who is counted. */
  keyOf(request: FastifyRequest): string;
}

/**
 * A request limit per window (WACHT_RATE_LIMIT_WINDOW_MS), counted when the request arrives
 * (onRequest, after authentication so the key is known), before its body is read or validated:
 * a request refused as malformed still used up an attempt. With WACHT_REDIS_URL the counters live in Redis and are
 * shared by every instance; without it each instance counts for itself.
 */
function rateLimitPlugin(policy: RateLimitPolicy) {
  return fp(
    async (app: FastifyInstance) => {
      const max = policy.max(app.config);
      if (max === 0) return;
      const { rateLimitWindowMs, redisUrl } = app.config;
      // Loaded only when configured: most single-instance deployments never need the client.
      const redis = redisUrl ? new (await import("ioredis")).Redis(redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 1 }) : undefined;
      if (redis) {
        // Errors are reported per command (and skipped, below); an unhandled 'error' event would crash the process.
        redis.on("error", () => {});
        app.addHook("onClose", async () => {
          redis.disconnect();
        });
      }
      await app.register(rateLimit, {
        hook: "onRequest",
        max,
        timeWindow: rateLimitWindowMs,
        redis,
        nameSpace: `wacht-${policy.name}:`,
        // Redis being away must not take the API down with it: requests go through uncounted.
        skipOnError: true,
        keyGenerator: policy.keyOf,
        errorResponseBuilder: (_request, context) => errors.rate_limited(Math.max(1, Math.ceil(context.ttl / 1000))),
      });
    },
    { name: policy.name },
  );
}

/** The Backend API: requests per API key. */
export const rateLimitByApiKey = rateLimitPlugin({
  name: "rate-limit-api-key",
  max: (config) => config.rateLimitMax,
  keyOf: (request) => request.apiKeyId || clientAddressKeyOf(request),
});

/** Sign-in: attempts per client address, against credential stuffing across many accounts. */
export const rateLimitSignIn = rateLimitPlugin({
  name: "rate-limit-sign-in",
  max: (config) => config.signInRateLimitMax,
  keyOf: (request) => clientAddressKeyOf(request),
});
