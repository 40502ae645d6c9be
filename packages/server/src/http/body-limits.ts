import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { errors } from "../errors.js";
import { MAX_BODY_DEPTH, exceedsJsonNesting, tooDeeplyNested } from "./json-text.js";

/**
 * Body limits, sized to what each route needs (a route may set its own `bodyLimit`):
 * - outside the Backend API (no API key: sign-in, unknown paths) a body is tiny, so a stranger
 *   cannot make us read megabytes;
 * - inside it, a JSON route with a body takes BACKEND_BODY_LIMIT unless it says more (users, with
 *   metadata); multipart bodies are bounded by the multipart reader's own limits (body-parsers.ts);
 * - a route without a body schema refuses any body before a byte of it is read.
 */
export const FRONTEND_BODY_LIMIT = 4 * 1024;
export const BACKEND_BODY_LIMIT = 16 * 1024;
/** Two metadata objects of up to 32 KiB each, escaped, plus the user's fields. */
export const USERS_BODY_LIMIT = 256 * 1024;

/** The root's limit (Fastify's bodyLimit): unknown paths and routes that set none. */
export const DEFAULT_BODY_LIMIT = 1024;

function hasBodySchema(request: FastifyRequest): boolean {
  return Boolean((request.routeOptions.schema as { body?: unknown } | undefined)?.body);
}

function carriesBody(request: FastifyRequest): boolean {
  const length = request.headers["content-length"];
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/**
 * Registered at the root, before everything: a route without a body schema (and an unknown path)
 * refuses a body before reading it, and the JSON parser scans nesting on the raw text before
 * JSON.parse (Fastify's own, with its prototype-poisoning checks).
 */
export const jsonParser = fp(
  async (app: FastifyInstance) => {
    app.addHook("preParsing", (request, _reply, _payload, done) => {
      if (!hasBodySchema(request) && carriesBody(request)) throw errors.body_not_allowed();
      done();
    });
    const parseJson = app.getDefaultJsonParser("error", "error");
    app.removeContentTypeParser("application/json");
    app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
      if (exceedsJsonNesting(body as string, MAX_BODY_DEPTH + 1)) return done(tooDeeplyNested("body"), undefined);
      parseJson(request, body as string, done);
    });
  },
  { name: "json-parser" },
);

/** Registered in a scope before its routes: each route there with a body and no limit of its own gets `limit`. */
export function bodyLimits(limit: number) {
  return fp(
    async (app: FastifyInstance) => {
      app.addHook("onRoute", (route) => {
        const takesBody = Boolean((route.schema as { body?: unknown } | undefined)?.body);
        route.bodyLimit ??= takesBody ? limit : DEFAULT_BODY_LIMIT;
      });
    },
    { name: `body-limits-${limit}` },
  );
}
