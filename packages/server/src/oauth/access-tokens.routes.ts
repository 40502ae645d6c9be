import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ErrorSchema, errorResponses } from "../http/common.schemas.js";
import type { ProviderDirectory } from "./client/provider-directory.js";
import { AccessTokenParamsSchema, OauthAccessTokenSchema, toAccessTokenJson } from "./oauth.schemas.js";
import { getFreshAccessToken } from "./oauth.service.js";

/** Backend API: a user's provider access token, for apps that call the provider's API (Clerk's getUserOauthAccessToken). */
export const oauthAccessTokenRoutes: FastifyPluginAsyncTypebox<{ directory: ProviderDirectory }> = async (app, { directory }) => {
  app.get(
    "/users/:userId/social-connections/:connectionId/access-token",
    {
      schema: {
        tags: ["social connections"],
        summary: "A fresh provider access token for a connection",
        description:
          "Refreshed first when it has expired and a refresh token is stored. 409 oauth_token_expired / oauth_refresh_rejected: the user must sign in with the provider again.",
        params: AccessTokenParamsSchema,
        response: { 200: OauthAccessTokenSchema, ...errorResponses, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      const { userId, connectionId } = request.params;
      return toAccessTokenJson(
        await getFreshAccessToken({ db: app.db, secretBox: app.secretBox, directory, config: app.config }, request.deploymentId, userId, connectionId),
      );
    },
  );
};
