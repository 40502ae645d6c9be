import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { ErrorSchema, UserIdParamsSchema, errorResponses } from "../http/common.schemas.js";
import { VerifyTotpBodySchema, VerifyTotpResponseSchema } from "../second-factors/second-factors.schemas.js";
import { VerifyPasswordBodySchema, VerifyPasswordResponseSchema } from "./credential-checks.schemas.js";
import { verifyUserPassword, verifyUserSecondFactor } from "./credential-checks.js";

const tags = ["users"];
const errors = { ...errorResponses, 403: ErrorSchema, 422: ErrorSchema };

/** Backend API: check a user's password or second factor without signing in (beyond the published client). */
export const credentialChecksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/users/:userId/verify-password",
    {
      schema: {
        tags,
        summary: "Check a user's password",
        description: "422 password_incorrect when wrong, 400 password_not_set when the user has none; counts toward the user's sign-in lockout.",
        params: UserIdParamsSchema,
        body: VerifyPasswordBodySchema,
        response: { 200: VerifyPasswordResponseSchema, ...errors },
      },
    },
    async (request) => {
      await verifyUserPassword(app.db, request.deploymentId, request.params.userId, request.body.password, app.config);
      return { verified: true as const };
    },
  );

  app.post(
    "/users/:userId/verify-totp",
    {
      schema: {
        tags,
        summary: "Check (and use up) a TOTP code or a backup code",
        description: "422 totp_incorrect when wrong, expired or already used; counts toward the user's sign-in lockout.",
        params: UserIdParamsSchema,
        body: VerifyTotpBodySchema,
        response: { 200: VerifyTotpResponseSchema, ...errors },
      },
    },
    async (request) => {
      const codeType = await verifyUserSecondFactor(
        app.db,
        app.secretBox,
        request.deploymentId,
        changeContextOf(request),
        request.params.userId,
        request.body.code,
        app.config,
      );
      return { verified: true as const, code_type: codeType };
    },
  );
};
