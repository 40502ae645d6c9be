import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Redis } from "ioredis";
import { RateLimitError } from "../errors.js";

/**
 * Requests per API key per window. Runs after authentication (preHandler) so the key, not the
 * client's address, is what is counted. With WACHT_REDIS_URL the counters live in Redis and are
 * shared by every instance; without it each instance counts for itself.
 */
export const rateLimitByApiKey = fp(
  async (app: FastifyInstance) => {
    const { rateLimitMax, rateLimitWindowMs, redisUrl } = app.config;
    if (rateLimitMax === 0) return;
    const redis = redisUrl ? new Redis(redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
    if (redis) {
      // Errors are reported per command (and skipped, below); an unhandled 'error' event would crash the process.
      redis.on("error", () => {});
      app.addHook("onClose", async () => {
        redis.disconnect();
      });
    }
    await app.register(rateLimit, {
      hook: "preHandler",
      max: rateLimitMax,
      timeWindow: rateLimitWindowMs,
      redis,
      nameSpace: "wacht-rate-limit:",
      // Redis being away must not take the API down with it: requests go through uncounted.
      skipOnError: true,
      keyGenerator: (request) => request.apiKeyId || request.ip,
      errorResponseBuilder: (_request, context) => new RateLimitError(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  },
  { name: "rate-limit" },
);
