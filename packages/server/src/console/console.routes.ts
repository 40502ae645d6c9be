import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { findApiKey } from "../api-keys/api-keys.service.js";
import { getDeployment } from "../deployments/deployments.service.js";
import { errors } from "../errors.js";
import { EmptySchema, ErrorSchema, toTimestamp } from "../http/common.schemas.js";
import { clearConsoleCookie, isHttpsRequest, setConsoleCookie } from "./console-cookie.js";
import { authenticateConsoleRequest } from "./console-session-auth.js";
import { ConsoleLoginQuerySchema, ConsoleSessionSchema, OpenConsoleSessionBodySchema } from "./console.schemas.js";
import {
  csrfTokenOf,
  endConsoleSession,
  openConsoleSessionWithApiKey,
  redeemConsoleLoginToken,
  type OpenedConsoleSession,
} from "./console-sessions.service.js";

const tags = ["console"];
const invalidKey = () => errors.invalid_api_key();

/**
 * The console's own endpoints, outside the Backend API scope: sign in (key or one-time link),
 * who am I, sign out. Once signed in, the console calls the ordinary Backend API routes with its
 * cookie (http/authenticate.ts), so it can never do what an API key cannot.
 */
export const consoleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const timing = () => ({ nowMs: Date.now(), idleSeconds: app.config.consoleIdleSeconds });

  async function describe(request: FastifyRequest, reply: FastifyReply, opened: OpenedConsoleSession, credential: string) {
    setConsoleCookie(reply, credential, app.config.consoleIdleSeconds, isHttpsRequest(request));
    return sessionJson(opened.deploymentId, opened.apiKeyId, csrfTokenOf(credential.split(".")[1]!), opened.expiresAt);
  }

  async function sessionJson(deploymentId: string, apiKeyId: string, csrfToken: string, expiresAt: number) {
    const [deployment, key] = await Promise.all([getDeployment(app.db, deploymentId), findApiKey(app.db, deploymentId, apiKeyId)]);
    return {
      deployment_id: deployment.id,
      deployment_name: deployment.name,
      api_key: { id: apiKeyId, name: key?.name ?? "", display_prefix: key?.displayPrefix ?? "" },
      csrf_token: csrfToken,
      expires_at: toTimestamp(expiresAt),
    };
  }

  app.post(
    "/console/api/session",
    {
      bodyLimit: 2048,
      schema: {
        tags,
        summary: "Sign the console in with an API key",
        body: OpenConsoleSessionBodySchema,
        response: { 200: ConsoleSessionSchema, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      const opened = await openConsoleSessionWithApiKey(app.db, request.body.api_key, timing());
      if (!opened) throw invalidKey();
      return describe(request, reply, opened, opened.credential);
    },
  );

  app.get(
    "/console/api/session",
    { schema: { tags, summary: "The console's session", response: { 200: ConsoleSessionSchema, 401: ErrorSchema } } },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      const session = await authenticateConsoleRequest(app, request, reply);
      if (!session) throw errors.console_session_invalid();
      return sessionJson(session.deploymentId, session.apiKeyId, session.csrfToken, session.expiresAt);
    },
  );

  app.delete(
    "/console/api/session",
    { schema: { tags, summary: "Sign the console out", response: { 200: EmptySchema, 401: ErrorSchema, 403: ErrorSchema } } },
    async (request, reply) => {
      const session = await authenticateConsoleRequest(app, request, reply);
      if (session) await endConsoleSession(app.db, session.deploymentId, session.sessionId, Date.now());
      clearConsoleCookie(reply, isHttpsRequest(request));
      return {};
    },
  );

  // A link from `wacht console-link`: redeemed once, then the browser lands on the console signed in.
  app.get("/console/login", { schema: { hide: true, querystring: ConsoleLoginQuerySchema } }, async (request, reply) => {
    reply.header("cache-control", "no-store").header("referrer-policy", "no-referrer");
    const opened = await redeemConsoleLoginToken(app.db, request.query.token, timing());
    if (!opened) return reply.redirect("/console/?error=link_invalid", 302);
    setConsoleCookie(reply, opened.credential, app.config.consoleIdleSeconds, isHttpsRequest(request));
    return reply.redirect("/console/", 302);
  });
};
