import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { WachtError, errors } from "../errors.js";
import { EmptySchema, ErrorSchema, listOf } from "../http/common.schemas.js";
import { userDocumentAt } from "../http/change-context.js";
import { publicUrlOf } from "../http/public-url.js";
import { rateLimitSignIn } from "../http/rate-limit.js";
import { readCookie, readSessionCredential, setSessionCookie } from "../http/session-cookie.js";
import { UserSocialConnectionSchema, toSocialConnectionJson } from "../social-connections/social-connections.schemas.js";
import { kindOf } from "../oauth-providers/provider-kinds.js";
import { setPendingSignInCookie } from "../sign-in/pending-sign-in-cookie.js";
import type { NeedsSecondFactor } from "../sign-in/second-factor-gate.js";
import type { ProviderDirectory } from "./client/provider-directory.js";
import { OauthFailure } from "./client/provider-error.js";
import {
  OauthCallbackParamsSchema,
  OauthProviderParamsSchema,
  OauthStartQuerySchema,
  OwnConnectionParamsSchema,
  type OauthCallbackParams,
} from "./oauth.schemas.js";
import { beginOauth, checkRedirectUrl, completeOauth, listOwnConnections, takeOauthState, unlinkOwnConnection, type OauthContext } from "./oauth.service.js";

/** Ties a sign-in to the browser that started it (oauth.service.ts beginOauth). */
const BINDING_COOKIE_NAME = "__wacht_oauth";
const MAX_FORM_BODY_BYTES = 64 * 1024;

const tags = ["frontend"];

/** The browser goes back to the app with `?error=<code>`: a code, never the provider's words or a stack trace. */
function redirectWithError(reply: FastifyReply, redirectUrl: URL, code: string): FastifyReply {
  const target = new URL(redirectUrl.href);
  target.searchParams.set("error", code);
  return reply.header("cache-control", "no-store").redirect(target.href, 302);
}

/**
 * The user has a second factor: back to the app with `?status=needs_second_factor` and the
 * strategies it may ask for; the pending sign-in's id goes in an HttpOnly cookie, never in the URL
 * (sign-in/pending-sign-in-cookie.ts). The app then asks for a code and posts it to
 * POST /sign-in/second-factor, which reads the cookie.
 */
function redirectForSecondFactor(reply: FastifyReply, redirectUrl: URL, pending: NeedsSecondFactor, isHttps: boolean): FastifyReply {
  setPendingSignInCookie(reply, pending.signInId, isHttps);
  const target = new URL(redirectUrl.href);
  target.searchParams.set("status", pending.status);
  target.searchParams.set("supported_second_factors", pending.supportedSecondFactors.join(","));
  return reply.header("cache-control", "no-store").redirect(target.href, 302);
}

function setBindingCookie(reply: FastifyReply, binding: string, maxAgeSeconds: number, isHttps: boolean, isCrossSitePost: boolean): void {
  // A provider answering with a form POST (Apple) is a cross-site POST, which Lax cookies miss.
  const sameSite = isCrossSitePost && isHttps ? "SameSite=None" : "SameSite=Lax";
  const attributes = [`${BINDING_COOKIE_NAME}=${binding}`, "Path=/oauth", "HttpOnly", sameSite, `Max-Age=${maxAgeSeconds}`];
  if (isHttps) attributes.push("Secure");
  reply.header("set-cookie", attributes.join("; "));
}

/**
 * Frontend API: social sign-in. `/oauth/{provider}/start` sends the browser to the provider,
 * `/oauth/{provider}/callback` brings it back signed in (or linked) to `redirect_url`; the
 * signed-in user lists and unlinks their own connections under `/oauth/connections`.
 */
export const oauthRoutes: FastifyPluginAsyncTypebox<{ directory: ProviderDirectory }> = async (app, { directory }) => {
  const context: OauthContext = { db: app.db, secretBox: app.secretBox, directory, config: app.config };
  const callbackUrlOf = (request: FastifyRequest, provider: string) => `${request.frontend.url}/oauth/${provider}/callback`;

  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: MAX_FORM_BODY_BYTES }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  // Each start stores a state row for anyone who asks: counted per client address, as sign-ins are.
  await app.register(async (limited) => {
    await limited.register(rateLimitSignIn);
    limited.withTypeProvider<TypeBoxTypeProvider>().get(
      "/oauth/:provider/start",
      {
        schema: {
          tags,
          summary: "Start a social sign-in",
          description: "302 to the provider. Errors after redirect_url is known come back on it as ?error=<code>; an unknown redirect_url is a JSON 400.",
          security: [],
          params: OauthProviderParamsSchema,
          querystring: OauthStartQuerySchema,
          response: { 400: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (request, reply) => {
        const { deployment, isHttps } = request.frontend;
        const { url: redirectUrl } = await checkRedirectUrl(app.db, deployment.id, request.query.redirect_url);
        const provider = request.params.provider;
        try {
          const { location, binding } = await beginOauth(context, deployment.id, {
            provider,
            redirectUrl,
            intent: request.query.intent ?? "sign_in",
            sessionCredential: readSessionCredential(request)?.credential ?? null,
            callbackUrl: callbackUrlOf(request, provider),
            presentedBinding: readCookie(request, BINDING_COOKIE_NAME),
          });
          setBindingCookie(reply, binding, app.config.oauthStateLifetimeSeconds, isHttps, kindOf(provider)?.responseMode === "form_post");
          return reply.header("cache-control", "no-store").redirect(location, 302);
        } catch (error) {
          return answerFailure(request, reply, redirectUrl, error);
        }
      },
    );
  });

  const handleCallback = async (request: FastifyRequest, reply: FastifyReply, provider: string, parameters: OauthCallbackParams) => {
    const { deployment, isHttps } = request.frontend;
    const { state, failure } = await takeOauthState(app.db, deployment.id, parameters.state);
    const redirectUrl = new URL(state.redirectUrl);
    try {
      // The allow-list may have changed since the sign-in started: it is asked again.
      await checkRedirectUrl(app.db, deployment.id, state.redirectUrl);
    } catch {
      throw errors.redirect_url_not_allowed();
    }
    if (failure) return redirectWithError(reply, redirectUrl, failure.code);
    try {
      const result = await completeOauth(context, deployment.id, state, {
        provider,
        code: parameters.code,
        error: parameters.error,
        issuer: parameters.iss,
        presentedBinding: readCookie(request, BINDING_COOKIE_NAME),
        sessionCredential: readSessionCredential(request)?.credential ?? null,
        callbackUrl: callbackUrlOf(request, provider),
        origin: { ipAddress: request.ip, userAgent: request.headers["user-agent"] ?? null },
        describeUser: userDocumentAt(publicUrlOf(request)),
      });
      if (result.kind === "signed_in") setSessionCookie(reply, result.credential, app.config.sessionLifetimeSeconds, isHttps);
      if (result.kind === "needs_second_factor") return redirectForSecondFactor(reply, redirectUrl, result.pending, isHttps);
      return reply.header("cache-control", "no-store").redirect(redirectUrl.href, 302);
    } catch (error) {
      return answerFailure(request, reply, redirectUrl, error);
    }
  };

  /** Every failure with a known redirect URL ends there with a code; the unexpected ones are logged first. */
  function answerFailure(request: FastifyRequest, reply: FastifyReply, redirectUrl: URL, error: unknown): FastifyReply {
    if (error instanceof OauthFailure) {
      request.log.info({ oauthFailure: error.code, reason: error.message }, "social sign-in refused");
      return redirectWithError(reply, redirectUrl, error.code);
    }
    if (error instanceof WachtError && error.statusCode < 500) return redirectWithError(reply, redirectUrl, error.code);
    request.log.error({ err: error }, "social sign-in failed");
    return redirectWithError(reply, redirectUrl, error instanceof WachtError ? error.code : "server_error");
  }

  const callbackSchema = {
    tags,
    summary: "Where the provider returns the browser",
    security: [],
    params: OauthProviderParamsSchema,
    response: { 400: ErrorSchema },
  };
  app.get("/oauth/:provider/callback", { schema: { ...callbackSchema, querystring: OauthCallbackParamsSchema } }, (request, reply) =>
    handleCallback(request, reply, request.params.provider, request.query),
  );
  app.post(
    "/oauth/:provider/callback",
    { schema: { ...callbackSchema, summary: "Where the provider posts back (response_mode=form_post)", body: OauthCallbackParamsSchema } },
    (request, reply) => handleCallback(request, reply, request.params.provider, request.body),
  );

  app.get(
    "/oauth/connections",
    {
      schema: {
        tags,
        summary: "The signed-in user's social connections",
        security: [],
        response: { 200: listOf(UserSocialConnectionSchema), 401: ErrorSchema },
      },
    },
    async (request) => ({
      data: (await listOwnConnections(context, request.frontend.deployment.id, readSessionCredential(request)?.credential ?? null)).map(toSocialConnectionJson),
      has_more: false,
    }),
  );

  app.delete(
    "/oauth/connections/:connectionId",
    {
      schema: {
        tags,
        summary: "Unlink one of the signed-in user's providers",
        description: "Refused (409 last_sign_in_method) when it is the user's last way to sign in.",
        security: [],
        params: OwnConnectionParamsSchema,
        response: { 200: EmptySchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) => {
      await unlinkOwnConnection(context, request.frontend.deployment.id, readSessionCredential(request)?.credential ?? null, request.params.connectionId, {
        requestId: request.id,
        ipAddress: request.ip,
        describeUser: userDocumentAt(publicUrlOf(request)),
      });
      return {};
    },
  );
};
