import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { EmptySchema, UserIdParamsSchema, errorResponses, listOf } from "../http/common.schemas.js";
import { ListSessionsQuerySchema, RevokeAllResponseSchema, SessionIdParamsSchema, UserSigninSchema, toSigninJson } from "./sessions.schemas.js";
import { listUserSessions, revokeAllUserSessions, revokeUserSession } from "./sessions.service.js";

const tags = ["sessions"];

export const sessionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/users/:userId/sessions",
    {
      schema: {
        tags,
        summary: "List a user's sessions",
        params: UserIdParamsSchema,
        querystring: ListSessionsQuerySchema,
        response: { 200: listOf(UserSigninSchema), ...errorResponses },
      },
    },
    async (request) => ({
      data: (await listUserSessions(app.db, request.deploymentId, request.params.userId, request.query.include_expired)).map(toSigninJson),
      has_more: false,
    }),
  );

  app.post(
    "/users/:userId/sessions/:sessionId/revoke",
    { schema: { tags, summary: "End one session", params: SessionIdParamsSchema, response: { 200: EmptySchema, ...errorResponses } } },
    async (request) => {
      await revokeUserSession(app.db, request.deploymentId, changeContextOf(request), request.params.userId, request.params.sessionId);
      return {};
    },
  );

  app.post(
    "/users/:userId/sessions/revoke-all",
    { schema: { tags, summary: "End all of a user's sessions", params: UserIdParamsSchema, response: { 200: RevokeAllResponseSchema, ...errorResponses } } },
    async (request) => ({ revoked: await revokeAllUserSessions(app.db, request.deploymentId, changeContextOf(request), request.params.userId) }),
  );
};
