import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { clientAddressKeyOf, clientAddressOf } from "../http/client-address.js";
import { EmptySchema, ErrorSchema } from "../http/common.schemas.js";
import { clearSessionCookie, readSessionCredential, setSessionCookie } from "../http/session-cookie.js";
import { endSession } from "../sessions/sessions.service.js";
import { SignInBodySchema, SignInResponseSchema } from "./sign-in.schemas.js";
import { signIn } from "./sign-in.service.js";

const tags = ["frontend"];
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

/** Frontend API: end users sign in and out; no API key, the deployment comes from the URL. */
export const signInRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/sign-in",
    { schema: { tags, summary: "Sign in with a password", security: [], body: SignInBodySchema, response: { 200: SignInResponseSchema, ...errors } } },
    async (request, reply) => {
      const { deployment, isHttps } = request.frontend;
      const { session, credential } = await signIn(
        app.db,
        deployment.id,
        {
          identifier: request.body.identifier,
          password: request.body.password,
          origin: { ipAddress: clientAddressOf(request), userAgent: request.headers["user-agent"] ?? null },
          addressKey: clientAddressKeyOf(request),
        },
        app.config,
      );
      const lifetimeSeconds = app.config.sessionLifetimeSeconds;
      setSessionCookie(reply, credential, lifetimeSeconds, isHttps);
      reply.header("cache-control", "no-store");
      return { session_id: session.id, user_id: session.userId, token: credential, expires: Math.floor(session.expiresAt / 1000) };
    },
  );

  app.post(
    "/sign-out",
    {
      schema: {
        tags,
        summary: "End the current session",
        description: "Send the __session cookie or 'Authorization: Bearer <session credential>'. Answers {} even when there was no session to end.",
        security: [],
        response: { 200: EmptySchema, ...errors },
      },
    },
    async (request, reply) => {
      const presented = readSessionCredential(request);
      if (presented) await endSession(app.db, request.frontend.deployment.id, presented.credential);
      clearSessionCookie(reply, request.frontend.isHttps);
      return {};
    },
  );
};
