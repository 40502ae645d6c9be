import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { appNameOf } from "../deployments/deployments.service.js";
import { clientAddressOf } from "../http/client-address.js";
import { ErrorSchema } from "../http/common.schemas.js";
import { PasskeySignInBodySchema, WebauthnOptionsSchema } from "../passkeys/passkeys.schemas.js";
import { startPasskeySignIn } from "../passkeys/passkeys.service.js";
import { relyingPartyOf, type AuthenticationResponseJSON } from "../passkeys/webauthn.js";
import { signInWithPasskey } from "./passkey-sign-in.js";
import { answerWithSession } from "./session-answer.js";
import { SignInCompleteSchema } from "./sign-in.schemas.js";

const tags = ["frontend"];
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

/** Frontend API: sign in without a password, with a discoverable passkey (WebAuthn). */
export const passkeySignInRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/sign-in/passkey/options",
    {
      schema: {
        tags,
        summary: "Start a passkey sign-in: WebAuthn request options",
        description:
          "Pass the answer to navigator.credentials.get() (PublicKeyCredential.parseRequestOptionsFromJSON). The challenge works once, for 5 minutes.",
        security: [],
        response: { 200: WebauthnOptionsSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { deployment, url } = request.frontend;
      reply.header("cache-control", "no-store");
      return startPasskeySignIn(app.db, deployment.id, relyingPartyOf(url, appNameOf(deployment)));
    },
  );

  app.post(
    "/sign-in/passkey/verify",
    {
      schema: {
        tags,
        summary: "Finish a passkey sign-in",
        description: "Send the credential navigator.credentials.get() returned, as JSON. Answers as a password sign-in does.",
        security: [],
        body: PasskeySignInBodySchema,
        response: { 200: SignInCompleteSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { deployment, url, isHttps } = request.frontend;
      const completed = await signInWithPasskey(
        app.db,
        deployment.id,
        relyingPartyOf(url, appNameOf(deployment)),
        {
          response: request.body.response as AuthenticationResponseJSON,
          origin: { ipAddress: clientAddressOf(request), userAgent: request.headers["user-agent"] ?? null },
        },
        app.config,
        request.log,
      );
      return answerWithSession(reply, app.config.sessionLifetimeSeconds, isHttps, completed);
    },
  );
};
