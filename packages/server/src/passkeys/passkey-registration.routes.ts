import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { appNameOf } from "../deployments/deployments.service.js";
import { endUserContextOf } from "../http/change-context.js";
import { ErrorSchema } from "../http/common.schemas.js";
import { readSessionCredential } from "../http/session-cookie.js";
import { authenticateSession } from "../sessions/sessions.service.js";
import { errors } from "../errors.js";
import { FinishRegistrationBodySchema, UserPasskeySchema, WebauthnOptionsSchema, toPasskeyJson } from "./passkeys.schemas.js";
import { finishPasskeyRegistration, startPasskeyRegistration } from "./passkeys.service.js";
import { relyingPartyOf, type RegistrationResponseJSON } from "./webauthn.js";

const tags = ["frontend"];
const errorAnswers = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const description = "Needs a session: the __session cookie or 'Authorization: Bearer <session credential>', as GET /session/token.";

/** Frontend API: a signed-in user registers a passkey for their own account. */
export const passkeyRegistrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The signed-in user, as GET /session/token authenticates them; 401 otherwise. */
  async function signedInUserId(request: FastifyRequest): Promise<string> {
    const presented = readSessionCredential(request);
    const timing = { nowMs: Date.now(), lifetimeSeconds: app.config.sessionLifetimeSeconds };
    const authenticated = presented && (await authenticateSession(app.db, request.frontend.deployment.id, presented.credential, timing));
    if (!authenticated) throw errors.session_invalid();
    return authenticated.session.userId;
  }

  app.post(
    "/passkeys/registration/options",
    {
      schema: {
        tags,
        summary: "Start registering a passkey: WebAuthn creation options",
        description: `${description} Pass the answer to navigator.credentials.create(); the challenge works once, for 5 minutes.`,
        security: [],
        response: { 200: WebauthnOptionsSchema, ...errorAnswers },
      },
    },
    async (request, reply) => {
      const userId = await signedInUserId(request);
      const { deployment, url } = request.frontend;
      reply.header("cache-control", "no-store");
      return startPasskeyRegistration(app.db, deployment.id, userId, relyingPartyOf(url, appNameOf(deployment)));
    },
  );

  app.post(
    "/passkeys/registration/verify",
    {
      schema: {
        tags,
        summary: "Finish registering a passkey",
        description: `${description} Send the credential navigator.credentials.create() returned, as JSON, and an optional name.`,
        security: [],
        body: FinishRegistrationBodySchema,
        response: { 200: UserPasskeySchema, ...errorAnswers },
      },
    },
    async (request) => {
      const userId = await signedInUserId(request);
      const { deployment, url } = request.frontend;
      const passkey = await finishPasskeyRegistration(
        app.db,
        deployment.id,
        endUserContextOf(request, userId),
        userId,
        relyingPartyOf(url, appNameOf(deployment)),
        {
          response: request.body.response as RegistrationResponseJSON,
          name: request.body.name,
        },
      );
      return toPasskeyJson(passkey);
    },
  );
};
