import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { userDocumentAt } from "../http/change-context.js";
import { publicUrlOf } from "../http/public-url.js";
import { clientAddressKeyOf, clientAddressOf } from "../http/client-address.js";
import { EmptySchema, ErrorSchema } from "../http/common.schemas.js";
import { clearSessionCookie, readSessionCredential } from "../http/session-cookie.js";
import { endSession } from "../sessions/sessions.service.js";
import { signInWithSecondFactor } from "./second-factor.js";
import { SecondFactorBodySchema, SignInBodySchema, SignInCompleteSchema, SignInResponseSchema } from "./sign-in.schemas.js";
import { signIn } from "./sign-in.service.js";
import { answerWithSession } from "./session-answer.js";
import { clearPendingSignInCookie, readPendingSignInCookie } from "./pending-sign-in-cookie.js";
import { errors as catalogue } from "../errors.js";

const tags = ["frontend"];
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

/** Frontend API: end users sign in and out; no API key, the deployment comes from the URL. */
export const signInRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/sign-in",
    { schema: { tags, summary: "Sign in with a password", security: [], body: SignInBodySchema, response: { 200: SignInResponseSchema, ...errors } } },
    async (request, reply) => {
      const { deployment, isHttps } = request.frontend;
      const outcome = await signIn(
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
      if (outcome.status === "complete") return answerWithSession(reply, app.config.sessionLifetimeSeconds, isHttps, outcome);
      reply.header("cache-control", "no-store");
      return { status: outcome.status, sign_in_id: outcome.signInId, supported_second_factors: outcome.supportedSecondFactors };
    },
  );

  app.post(
    "/sign-in/second-factor",
    {
      schema: {
        tags,
        summary: "Finish a password or social sign-in with a TOTP code or a backup code",
        description:
          "After POST /sign-in answered needs_second_factor (send its sign_in_id), or a social sign-in returned with ?status=needs_second_factor (send no sign_in_id: the __wacht_sign_in cookie carries it). Answers as a one-step sign-in does; a wrong code counts as a failed sign-in.",
        security: [],
        body: SecondFactorBodySchema,
        response: { 200: SignInCompleteSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { deployment, isHttps } = request.frontend;
      const fromCookie = request.body.sign_in_id === undefined ? readPendingSignInCookie(request) : null;
      const signInId = request.body.sign_in_id ?? fromCookie;
      if (signInId === null) throw catalogue.sign_in_attempt_invalid();
      const completed = await signInWithSecondFactor(
        app.db,
        app.secretBox,
        deployment.id,
        {
          signInId,
          strategy: request.body.strategy,
          code: request.body.code,
          origin: { ipAddress: clientAddressOf(request), userAgent: request.headers["user-agent"] ?? null },
          describeUser: userDocumentAt(publicUrlOf(request)),
        },
        app.config,
      );
      if (fromCookie !== null) clearPendingSignInCookie(reply, isHttps);
      return answerWithSession(reply, app.config.sessionLifetimeSeconds, isHttps, completed);
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
