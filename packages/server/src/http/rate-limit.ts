import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { RateLimitError } from "../errors.js";

/**
 * Requests per API key per window. Runs after authentication (preHandler) so the key, not the
 * client's address, is what is counted.
 */
export const rateLimitByApiKey = fp(
  async (app: FastifyInstance) => {
    if (app.config.rateLimitMax === 0) return;
    await app.register(rateLimit, {
      hook: "preHandler",
      max: app.config.rateLimitMax,
      timeWindow: app.config.rateLimitWindowMs,
      keyGenerator: (request) => request.apiKeyId || request.ip,
      errorResponseBuilder: (_request, context) => new RateLimitError(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  },
  { name: "rate-limit" },
);
