import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { EmptySchema, UserIdParamsSchema, errorResponses } from "../http/common.schemas.js";
import { UpdatePasswordBodySchema } from "./passwords.schemas.js";
import { removePassword, updatePassword } from "./passwords.service.js";

const tags = ["passwords"];

export const passwordsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.patch(
    "/users/:userId/password",
    {
      schema: {
        tags,
        summary: "Set a user's password",
        params: UserIdParamsSchema,
        body: UpdatePasswordBodySchema,
        response: { 200: EmptySchema, ...errorResponses },
      },
    },
    async (request) => {
      const { new_password, skip_password_check, revoke_sessions } = request.body;
      await updatePassword(app.db, request.deploymentId, changeContextOf(request), request.params.userId, {
        newPassword: new_password,
        skipPasswordCheck: skip_password_check,
        revokeSessions: revoke_sessions,
      });
      return {};
    },
  );

  app.delete(
    "/users/:userId/password",
    { schema: { tags, summary: "Remove a user's password", params: UserIdParamsSchema, response: { 200: EmptySchema, ...errorResponses } } },
    async (request) => {
      await removePassword(app.db, request.deploymentId, changeContextOf(request), request.params.userId);
      return {};
    },
  );
};
