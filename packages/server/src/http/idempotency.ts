import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest, onResponseAsyncHookHandler, onSendAsyncHookHandler, preHandlerAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";
import { beginIdempotentRequest, finishIdempotentRequest, releaseIdempotencyKey } from "../idempotency/idempotency.service.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when this request claimed an Idempotency-Key and its answer must be stored. */
    idempotencyKey: string | null;
  }
  interface FastifyContextConfig {
    /**
     * The answer holds a secret shown once (a TOTP secret, backup codes): it is never stored for
     * replay, so an Idempotency-Key is ignored and a retry runs the request again.
     */
    answerHoldsSecrets?: boolean;
  }
}

/** What makes two requests "the same": method, path and query, and the validated body and files. */
function fingerprintOf(request: FastifyRequest): string {
  const hash = createHash("sha256")
    .update(`${request.method} ${request.url}\n`)
    .update(JSON.stringify(request.body ?? null));
  for (const [field, bytes] of Object.entries(request.uploadedFiles ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`\n${field}:`).update(bytes);
  }
  return hash.digest("hex");
}

/**
 * POST and PATCH requests sent with an `Idempotency-Key` header run once; a retry with the same
 * key and the same request gets the stored answer (with `idempotent-replayed: true`), so clients
 * can retry creates safely after a timeout. Runs after authentication and validation.
 */
const takesKey = (method: string) => method.toUpperCase() === "POST" || method.toUpperCase() === "PATCH";
const hooksOf = <Hook>(hooks: Hook | Hook[] | undefined): Hook[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);

export const idempotency = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest("idempotencyKey", null);
    const claim: preHandlerAsyncHookHandler = async (request, reply) => {
      const header = request.headers["idempotency-key"];
      if (header === undefined || !takesKey(request.method) || request.routeOptions.config.answerHoldsSecrets) return;
      const key = Array.isArray(header) ? header.join(",") : header;
      const outcome = await beginIdempotentRequest(app.db, request.deploymentId, key, fingerprintOf(request));
      if (outcome.kind === "replay") {
        return reply.status(outcome.status).header("idempotent-replayed", "true").type("application/json; charset=utf-8").send(outcome.body);
      }
      request.idempotencyKey = key;
    };
    const store: onSendAsyncHookHandler = async (request, reply, payload) => {
      if (request.idempotencyKey !== null && typeof payload === "string") {
        await finishIdempotentRequest(app.db, request.deploymentId, request.idempotencyKey, reply.statusCode, payload);
        request.idempotencyKey = null;
      }
      return payload;
    };
    // An answer that was never sent (the client went away mid-request) frees its key for a retry.
    const release: onResponseAsyncHookHandler = async (request) => {
      if (request.idempotencyKey !== null) await releaseIdempotencyKey(app.db, request.deploymentId, request.idempotencyKey);
    };
    // Only POST and PATCH take a key, so only their routes carry the three hooks: reads run none.
    app.addHook("onRoute", (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!methods.some(takesKey)) return;
      route.preHandler = [...hooksOf(route.preHandler), claim];
      route.onSend = [...hooksOf(route.onSend), store];
      route.onResponse = [...hooksOf(route.onResponse), release];
    });
  },
  { name: "idempotency" },
);
