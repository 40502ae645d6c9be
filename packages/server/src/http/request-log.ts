import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { LoggerOptions } from "pino";

/** Paths that must never reach a log line. Bodies are never logged, but errors can carry them. */
export const loggerOptions = (level: string): LoggerOptions => ({
  level,
  redact: {
    paths: [
      "req.headers.authorization",
      "req.headers.cookie",
      "headers.authorization",
      "headers.cookie",
      "*.password",
      "*.new_password",
      "*.apiKey",
      "*.api_key",
      "*.secret",
      "*.token",
    ],
    censor: "[redacted]",
  },
});

// Client-sent request ids are not trusted: they would let anyone forge log correlation.
export const generateRequestId = () => randomUUID();

/** One JSON line per request, written when the answer is sent, with the request id also returned as x-request-id. */
export const requestLog = fp(
  async (app: FastifyInstance) => {
    app.addHook("onRequest", async (request, reply) => {
      reply.header("x-request-id", request.id);
    });
    app.addHook("onResponse", async (request, reply) => {
      request.log.info(
        {
          method: request.method,
          path: request.url.split("?")[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          deployment: request.deploymentId || undefined,
        },
        "request",
      );
    });
  },
  { name: "request-log" },
);
