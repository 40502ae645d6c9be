import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { authenticateApiKey } from "../api-keys/api-keys.service.js";
import { authenticateConsoleRequest } from "../console/console-session-auth.js";
import { errors } from "../errors.js";
import { bearerTokenOf } from "./bearer-token.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The deployment the request's API key belongs to: every query of the request is scoped to it. */
    deploymentId: string;
    apiKeyId: string;
    apiKeyName: string;
  }
}

/** Registered inside the Backend API scope: every route there needs a valid, unrevoked API key (or the console cookie of one). */
export const authenticate = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest("deploymentId", "");
    app.decorateRequest("apiKeyId", "");
    app.decorateRequest("apiKeyName", "");
    app.decorateRequest("consoleSession", null);
    app.addHook("onRequest", async (request, reply) => {
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
      if (!token || token.length > 512) throw errors.unauthenticated();
      const key = await authenticateApiKey(app.db, token);
      if (!key) throw errors.invalid_api_key();
      request.deploymentId = key.deploymentId;
      request.apiKeyId = key.keyId;
      request.apiKeyName = key.keyName;
    });
  },
  { name: "authenticate" },
);
