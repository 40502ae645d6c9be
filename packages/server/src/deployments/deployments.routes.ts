import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { Nullable, Timestamp, errorResponses, toTimestamp } from "../http/common.schemas.js";
import { requestOrigin } from "../http/frontend-deployment.js";
import { frontendApiOf, getDeployment } from "./deployments.service.js";

export const DeploymentSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    is_default: Type.Boolean(),
    created_at: Timestamp,
    frontend_api_url: Nullable(Type.String()),
    publishable_key: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

/** Backend API: the deployment the caller's key belongs to. */
export const deploymentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/deployment",
    { schema: { tags: ["deployments"], summary: "The deployment of this API key", response: { 200: DeploymentSchema, ...errorResponses } } },
    async (request) => {
      const deployment = await getDeployment(app.db, request.deploymentId);
      const frontendApi = frontendApiOf(deployment, app.config, requestOrigin(request));
      return {
        id: deployment.id,
        name: deployment.name,
        is_default: deployment.isDefault,
        created_at: toTimestamp(deployment.createdAt),
        frontend_api_url: frontendApi?.url ?? null,
        publishable_key: frontendApi?.publishableKey ?? null,
      };
    },
  );
};
