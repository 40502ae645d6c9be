import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { UserIdParamsSchema, errorResponses } from "../http/common.schemas.js";
import { publicUrlOf } from "../http/public-url.js";
import { UserDetailsSchema, toUserDetailsJson } from "../users/users.schemas.js";
import { getUserDetails } from "../user-accounts/user-accounts.service.js";
import { unlockUser } from "./sign-in.service.js";

/** Backend API: an admin lifts a lockout that too many wrong passwords caused. */
export const lockoutRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/users/:userId/unlock",
    {
      schema: {
        tags: ["users"],
        summary: "Unlock a user locked out by wrong passwords",
        params: UserIdParamsSchema,
        response: { 200: UserDetailsSchema, ...errorResponses },
      },
    },
    async (request) => {
      await unlockUser(app.db, request.deploymentId, changeContextOf(request), request.params.userId);
      return toUserDetailsJson(await getUserDetails(app.db, request.deploymentId, request.params.userId), { publicUrl: publicUrlOf(request) });
    },
  );
};
