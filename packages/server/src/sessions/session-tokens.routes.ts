import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { parseFrontendApiUrl } from "../deployments/frontend-api.js";
import { errors } from "../errors.js";
import { ErrorSchema } from "../http/common.schemas.js";
import { sendError } from "../http/error-handler.js";
import { clearSessionCookie, readSessionCredential, setSessionCookie } from "../http/session-cookie.js";
import { signSessionToken } from "../signing-keys/signing-keys.service.js";
import { SessionTokenResponseSchema } from "./sessions.schemas.js";
import { authenticateSession } from "./sessions.service.js";

/**
 * The page origin a browser named in `Origin`, when it is a plain http(s) origin, for the token's
 * `azp`: an app's backend can then accept only tokens minted for its own pages.
 */
function requestingOriginOf(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin !== "string" || origin.length > 2048) return undefined;
  const parsed = parseFrontendApiUrl(origin);
  return parsed && parsed.url === origin ? parsed.url : undefined;
}

export const sessionInvalid = () => errors.session_invalid();

/** Frontend API: trades a session credential for a short-lived session token. */
export const sessionTokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/session/token",
    {
      schema: {
        tags: ["frontend"],
        summary: "Get a session token",
        description: "Send the `__session` cookie, or `Authorization: Bearer <session credential>` from clients without cookies.",
        security: [],
        response: { 200: SessionTokenResponseSchema, 401: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { deployment, url, isHttps } = request.frontend;
      const nowMs = Date.now();
      const presented = readSessionCredential(request);
      const lifetimeSeconds = app.config.sessionLifetimeSeconds;
      const authenticated = presented && (await authenticateSession(app.db, deployment.id, presented.credential, { nowMs, lifetimeSeconds }));
      reply.header("cache-control", "no-store");
      if (!authenticated) {
        // A browser should drop a cookie that no longer works.
        if (presented?.source === "cookie") clearSessionCookie(reply, isHttps);
        return sendError(reply, sessionInvalid());
      }
      const { session, wasExtended } = authenticated;
      if (wasExtended && presented.source === "cookie") {
        setSessionCookie(reply, presented.credential, Math.floor((session.expiresAt - nowMs) / 1000), isHttps);
      }
      const signed = await signSessionToken(
        app.db,
        deployment.id,
        { issuer: url, userId: session.userId, sessionId: session.id, authorizedParty: requestingOriginOf(request) },
        { nowMs, lifetimeSeconds: app.config.sessionTokenLifetimeSeconds, secretBox: app.secretBox },
      );
      return { data: signed };
    },
  );
};
