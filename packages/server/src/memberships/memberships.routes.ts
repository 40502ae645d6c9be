import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { UserIdParamsSchema, errorResponses } from "../http/common.schemas.js";
import { membershipListSchemas } from "./memberships.schemas.js";
import { listUserMemberships } from "./memberships.service.js";

const tags = ["users"];

/** Backend API: the published client's membership lists; always empty until organizations exist. */
export const membershipsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  for (const kind of ["organization", "workspace"] as const) {
    app.get(
      `/users/:userId/${kind}-memberships`,
      {
        schema: {
          tags,
          summary: `List a user's ${kind} memberships (always empty: Wacht has no ${kind}s yet)`,
          params: UserIdParamsSchema,
          response: { 200: membershipListSchemas[kind], ...errorResponses },
        },
      },
      async (request) => ({ data: await listUserMemberships(app.db, request.deploymentId, request.params.userId), has_more: false }),
    );
  }
};
