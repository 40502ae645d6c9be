import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { EmptySchema, UserIdParamsSchema, errorResponses } from "../http/common.schemas.js";
import { BackupCodesResponseSchema, CreateAuthenticatorBodySchema, CreateAuthenticatorResponseSchema } from "./second-factors.schemas.js";
import { createAuthenticator, regenerateBackupCodes, removeAuthenticator } from "./second-factors.service.js";

const tags = ["second factors"];

/** Backend API: an admin enrols a user's TOTP authenticator and issues backup codes. */
export const secondFactorsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/users/:userId/authenticators",
    {
      // The answer carries the secret: it must not be kept as a stored idempotent replay.
      config: { answerHoldsSecrets: true },
      schema: {
        tags,
        summary: "Enrol a TOTP authenticator with an admin-supplied secret",
        params: UserIdParamsSchema,
        body: CreateAuthenticatorBodySchema,
        response: { 200: CreateAuthenticatorResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const created = await createAuthenticator(app.db, app.secretBox, request.deploymentId, changeContextOf(request), request.params.userId, {
        secret: request.body.secret,
        accountName: request.body.account_name,
      });
      return { id: created.id, otp_url: created.otpUrl };
    },
  );

  app.delete(
    "/users/:userId/authenticators",
    {
      schema: {
        tags,
        summary: "Remove the user's TOTP authenticator (backup codes stay)",
        params: UserIdParamsSchema,
        response: { 200: EmptySchema, ...errorResponses },
      },
    },
    async (request) => {
      await removeAuthenticator(app.db, request.deploymentId, changeContextOf(request), request.params.userId);
      return {};
    },
  );

  app.post(
    "/users/:userId/backup-codes/regenerate",
    {
      config: { answerHoldsSecrets: true },
      schema: {
        tags,
        summary: "Issue 12 new backup codes, replacing the old ones",
        description: "No body. The codes are shown once and stored only as argon2id hashes.",
        params: UserIdParamsSchema,
        response: { 200: BackupCodesResponseSchema, ...errorResponses },
      },
    },
    async (request) => ({ backup_codes: await regenerateBackupCodes(app.db, request.deploymentId, changeContextOf(request), request.params.userId) }),
  );
};
