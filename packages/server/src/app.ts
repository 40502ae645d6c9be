import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Config } from "./config.js";
import type { SecretBox } from "./crypto/secret-box.js";
import { authenticate } from "./http/authenticate.js";
import { frontendDeployment } from "./http/frontend-deployment.js";
import { bodyParsers } from "./http/body-parsers.js";
import { BACKEND_BODY_LIMIT, DEFAULT_BODY_LIMIT, FRONTEND_BODY_LIMIT, bodyLimits, jsonParser } from "./http/body-limits.js";
import { errorHandler, sendFrameworkError } from "./http/error-handler.js";
import { idempotency } from "./http/idempotency.js";
import { importRoutes } from "./import/import.routes.js";
import { openapi } from "./http/openapi.js";
import { refuseCrossSiteRequests } from "./http/same-site.js";
import { rateLimitByApiKey, rateLimitSignIn } from "./http/rate-limit.js";
import { generateRequestId, lazyRequestLogger, loggerOptions, requestLog } from "./http/request-log.js";
import { useSchemaCompilers } from "./http/validation.js";
import { emailsRoutes } from "./identifiers/emails.routes.js";
import { phonesRoutes } from "./identifiers/phones.routes.js";
import { oauthAccessTokenRoutes } from "./oauth/access-tokens.routes.js";
import { ProviderDirectory } from "./oauth/client/provider-directory.js";
import { oauthRoutes } from "./oauth/oauth.routes.js";
import { oauthProvidersRoutes } from "./oauth-providers/oauth-providers.routes.js";
import { passwordsRoutes } from "./passwords/passwords.routes.js";
import { profileImagesRoutes } from "./profile-images/profile-images.routes.js";
import { sessionTokenRoutes } from "./sessions/session-tokens.routes.js";
import { sessionsRoutes } from "./sessions/sessions.routes.js";
import { credentialChecksRoutes } from "./sign-in/credential-checks.routes.js";
import { lockoutRoutes } from "./sign-in/lockout.routes.js";
import { membershipsRoutes } from "./memberships/memberships.routes.js";
import { passkeyRegistrationRoutes } from "./passkeys/passkey-registration.routes.js";
import { passkeysRoutes } from "./passkeys/passkeys.routes.js";
import { passkeySignInRoutes } from "./sign-in/passkey-sign-in.routes.js";
import { secondFactorsRoutes } from "./second-factors/second-factors.routes.js";
import { signInRoutes } from "./sign-in/sign-in.routes.js";
import { jwksRoutes } from "./signing-keys/signing-keys.routes.js";
import { socialConnectionsRoutes } from "./social-connections/social-connections.routes.js";
import { pingDatabase, type Db } from "./storage/db.js";
import { searchIndexUpkeep } from "./storage/search-index-upkeep.js";
import { usersRoutes } from "./users/users.routes.js";
import { apiKeysRoutes } from "./api-keys/api-keys.routes.js";
import { consoleAssets } from "./console/console-assets.js";
import { consoleRoutes } from "./console/console.routes.js";
import { deploymentsRoutes } from "./deployments/deployments.routes.js";
import { auditLogRoutes } from "./audit-log/audit-log.routes.js";
import { auditLogRetention } from "./audit-log/retention.js";
import { webhookDispatcher } from "./webhooks/dispatcher.js";
import { webhooksRoutes } from "./webhooks/webhooks.routes.js";

declare module "fastify" {
  interface FastifyInstance {
    db: Db;
    config: Config;
    /** Seals and opens secret material stored in the database (crypto/secret-box.ts). */
    secretBox: SecretBox;
  }
}

export interface BuildAppOptions {
  config: Config;
  db: Db;
  secretBox: SecretBox;
  /** Tests pass false to keep their output readable. */
  logger?: boolean;
}

/** Believes X-Forwarded-For up to `hops` proxies back: the client is the entry the last proxy appended. */
function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/** Builds the whole server without listening: the CLI, the tests and the benchmarks build the same app. */
export async function buildApp({ config, db, secretBox, logger = true }: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ? loggerOptions(config.logLevel) : false,
    // request-log.ts writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: generateRequestId,
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: DEFAULT_BODY_LIMIT,
    trustProxy: typeof config.trustProxy === "number" ? trustHops(config.trustProxy) : config.trustProxy,
    // A client that trickles its request, or never finishes it, is cut off (http/timeouts in docs/security.md).
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(config.requestTimeoutMs / 4))),
    },
    frameworkErrors: sendFrameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate("db", db);
  app.decorate("config", config);
  app.decorate("secretBox", secretBox);
  useSchemaCompilers(app);
  await app.register(errorHandler);
  await app.register(jsonParser);
  await app.register(requestLog);
  await app.register(openapi);
  // Delivers webhooks from the outbox in the background; woken after every write this app answers.
  await app.register(webhookDispatcher);
  await app.register(auditLogRetention);
  // Folds the search index's pieces together in the background after writes.
  await app.register(searchIndexUpkeep);

  app.get("/health", { schema: { hide: true, response: { 200: Type.Object({ status: Type.String() }) } } }, async () => {
    // A load balancer should stop sending traffic to an instance that cannot reach its database.
    await pingDatabase(db);
    return { status: "ok" };
  });
  await app.register(profileImagesRoutes);
  // Identity providers' discovery documents and keys, shared by the sign-in flow and token refresh.
  const oauthDirectory = new ProviderDirectory(config.oauthProviderTimeoutMs);

  // The Backend API: every route below needs an API key and is scoped to its deployment.
  await app.register(async (api) => {
    await api.register(bodyLimits(BACKEND_BODY_LIMIT));
    await api.register(bodyParsers);
    await api.register(authenticate);
    await api.register(rateLimitByApiKey);
    await api.register(idempotency);
    await api.register(usersRoutes);
    await api.register(importRoutes);
    await api.register(emailsRoutes);
    await api.register(phonesRoutes);
    await api.register(passwordsRoutes);
    await api.register(socialConnectionsRoutes);
    await api.register(sessionsRoutes);
    await api.register(lockoutRoutes);
    await api.register(apiKeysRoutes);
    await api.register(deploymentsRoutes);
    await api.register(webhooksRoutes);
    await api.register(auditLogRoutes);
    await api.register(secondFactorsRoutes);
    await api.register(credentialChecksRoutes);
    await api.register(passkeysRoutes);
    await api.register(membershipsRoutes);
    await api.register(oauthProvidersRoutes);
    await api.register(oauthAccessTokenRoutes, { directory: oauthDirectory });
  });

  // The admin console: its static files, and its sign-in by API key or one-time link.
  await app.register(async (console) => {
    console.removeContentTypeParser("text/plain");
    await console.register(bodyLimits(FRONTEND_BODY_LIMIT));
    await console.register(consoleRoutes);
    await console.register(consoleAssets, { directory: config.consoleDirectory });
  });

  // The Frontend API: end users sign in and get session tokens. No API key: the deployment is
  // the one whose frontend API URL the request arrived on.
  await app.register(async (frontend) => {
    frontend.removeContentTypeParser("text/plain");
    await frontend.register(bodyLimits(FRONTEND_BODY_LIMIT));
    await frontend.register(frontendDeployment);
    await frontend.register(refuseCrossSiteRequests);
    await frontend.register(async (signIn) => {
      await signIn.register(rateLimitSignIn);
      await signIn.register(signInRoutes);
      await signIn.register(passkeySignInRoutes);
      await signIn.register(passkeyRegistrationRoutes);
    });
    await frontend.register(sessionTokenRoutes);
    await frontend.register(jwksRoutes);
    await frontend.register(oauthRoutes, { directory: oauthDirectory });
  });

  return app;
}
