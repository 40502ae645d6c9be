import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { EmptySchema, errorResponses, listOf } from "../http/common.schemas.js";
import { ApiKeyIdParamsSchema, ApiKeySchema, CreateApiKeyBodySchema, CreatedApiKeySchema, toApiKeyJson } from "./api-keys.schemas.js";
import { createApiKey, listApiKeys, revokeApiKey } from "./api-keys.service.js";

const tags = ["api keys"];

/** Backend API: the keys of the caller's own deployment (the console's keys page uses these). */
export const apiKeysRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api-keys",
    { schema: { tags, summary: "List this deployment's API keys (never their secrets)", response: { 200: listOf(ApiKeySchema), ...errorResponses } } },
    async (request) => ({ data: (await listApiKeys(app.db, request.deploymentId)).map(toApiKeyJson), has_more: false }),
  );

  app.post(
    "/api-keys",
    {
      schema: {
        tags,
        summary: "Create an API key for this deployment (shown once)",
        body: CreateApiKeyBodySchema,
        response: { 200: CreatedApiKeySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      const { apiKey, secret } = await createApiKey(app.db, request.deploymentId, request.body.name.trim(), changeContextOf(request));
      return { api_key: toApiKeyJson(apiKey), secret };
    },
  );

  app.post(
    "/api-keys/:keyId/revoke",
    {
      schema: {
        tags,
        summary: "Revoke an API key at once (its console sessions end too)",
        params: ApiKeyIdParamsSchema,
        response: { 200: EmptySchema, ...errorResponses },
      },
    },
    async (request) => {
      await revokeApiKey(app.db, request.params.keyId, request.deploymentId, changeContextOf(request));
      return {};
    },
  );
};
