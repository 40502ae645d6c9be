import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { EmptySchema, UserIdParamsSchema, errorResponses, listOf } from "../http/common.schemas.js";
import { ConnectionIdParamsSchema, LinkSocialConnectionBodySchema, UserSocialConnectionSchema, toSocialConnectionJson } from "./social-connections.schemas.js";
import { getSocialConnections, linkSocialConnection, unlinkSocialConnection } from "./social-connections.service.js";
import { MAX_EMAILS_PER_USER } from "../identifiers/limits.js";
import { MAX_SOCIAL_CONNECTIONS_PER_USER } from "./limits.js";

const tags = ["social connections"];

export const socialConnectionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/users/:userId/social-connections",
    {
      schema: {
        tags,
        summary: "List a user's OAuth connections",
        params: UserIdParamsSchema,
        response: { 200: listOf(UserSocialConnectionSchema), ...errorResponses },
      },
    },
    async (request) => ({
      data: (await getSocialConnections(app.db, request.deploymentId, request.params.userId)).map(toSocialConnectionJson),
      has_more: false,
    }),
  );

  app.post(
    "/users/:userId/social-connections",
    {
      schema: {
        tags,
        summary: "Link an OAuth identity (for users migrating from another provider)",
        description: `A user has at most ${MAX_SOCIAL_CONNECTIONS_PER_USER} social connections and ${MAX_EMAILS_PER_USER} email addresses (else 400 per_user_limit_reached).`,
        params: UserIdParamsSchema,
        body: LinkSocialConnectionBodySchema,
        response: { 200: UserSocialConnectionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { provider, provider_user_id, email_address } = request.body;
      const connection = await linkSocialConnection(app.db, request.deploymentId, changeContextOf(request), request.params.userId, {
        provider,
        providerUserId: provider_user_id,
        emailAddress: email_address,
      });
      return toSocialConnectionJson(connection);
    },
  );

  app.delete(
    "/users/:userId/social-connections/:connectionId",
    { schema: { tags, summary: "Unlink an OAuth connection", params: ConnectionIdParamsSchema, response: { 200: EmptySchema, ...errorResponses } } },
    async (request) => {
      await unlinkSocialConnection(app.db, request.deploymentId, changeContextOf(request), request.params.userId, request.params.connectionId);
      return {};
    },
  );
};
