import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { authenticateApiKey } from "../api-keys/api-keys.service.js";
import { authenticateConsoleRequest } from "../console/console-session-auth.js";
import { errors } from "../errors.js";
import { bearerTokenOf } from "./bearer-token.js";
import { clientAddressKeyOf } from "./client-address.js";
import { FailureThrottle } from "./failure-throttle.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The deployment the request's API key belongs to: every query of the request is scoped to it. */
    deploymentId: string;
    apiKeyId: string;
    apiKeyName: string;
  }
}

/**
 * Registered inside the Backend API scope: every route there needs a valid, unrevoked API key (or
 * the console cookie of one). Wrong keys are counted per client address (WACHT_API_KEY_FAILURE_MAX
 * per rate-limit window): once an address has used its allowance it gets 429 before any lookup,
 * so keys cannot be guessed at request speed.
 */
export const authenticate = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest("deploymentId", "");
    app.decorateRequest("apiKeyId", "");
    app.decorateRequest("apiKeyName", "");
    app.decorateRequest("consoleSession", null);
    const failures = new FailureThrottle(app.config.apiKeyFailureMax, app.config.rateLimitWindowMs);
    app.addHook("onRequest", async (request, reply) => {
      const addressKey = clientAddressKeyOf(request);
      const retryAfter = failures.retryAfterSeconds(addressKey, Date.now());
      if (retryAfter !== null) throw errors.rate_limited(retryAfter);
      // The admin console sends its HttpOnly cookie instead of a key; it acts as the key it signed in with.
      if (!request.headers.authorization) {
        const session = await authenticateConsoleRequest(app, request, reply);
        if (session) {
          request.consoleSession = session;
          request.deploymentId = session.deploymentId;
          request.apiKeyId = session.apiKeyId;
          return;
        }
      }
      const token = bearerTokenOf(request.headers.authorization);
      if (!token || token.length > 512) {
        if (request.headers.authorization !== undefined) failures.recordFailure(addressKey, Date.now());
        throw errors.unauthenticated();
      }
      const key = await authenticateApiKey(app.db, token);
      if (!key) {
        failures.recordFailure(addressKey, Date.now());
        throw errors.invalid_api_key();
      }
      request.deploymentId = key.deploymentId;
      request.apiKeyId = key.keyId;
      request.apiKeyName = key.keyName;
    });
  },
  { name: "authenticate" },
);
