import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { EmptySchema, UserIdParamsSchema, errorResponses, listOf } from "../http/common.schemas.js";
import { PasskeyParamsSchema, RenamePasskeyBodySchema, UserPasskeySchema, toPasskeyJson } from "./passkeys.schemas.js";
import { listUserPasskeys, removePasskey, renamePasskey } from "./passkeys.service.js";

const tags = ["passkeys"];

/** Backend API: an admin sees, renames and removes a user's passkeys. */
export const passkeysRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/users/:userId/passkeys",
    {
      schema: {
        tags,
        summary: "List a user's passkeys, newest first",
        params: UserIdParamsSchema,
        response: { 200: listOf(UserPasskeySchema), ...errorResponses },
      },
    },
    async (request) => ({ data: (await listUserPasskeys(app.db, request.deploymentId, request.params.userId)).map(toPasskeyJson), has_more: false }),
  );

  app.patch(
    "/users/:userId/passkeys/:passkeyId",
    {
      schema: {
        tags,
        summary: "Rename a passkey",
        params: PasskeyParamsSchema,
        body: RenamePasskeyBodySchema,
        response: { 200: EmptySchema, ...errorResponses },
      },
    },
    async (request) => {
      await renamePasskey(app.db, request.deploymentId, changeContextOf(request), request.params.userId, request.params.passkeyId, request.body.name);
      return {};
    },
  );

  app.delete(
    "/users/:userId/passkeys/:passkeyId",
    { schema: { tags, summary: "Remove a passkey", params: PasskeyParamsSchema, response: { 200: EmptySchema, ...errorResponses } } },
    async (request) => {
      await removePasskey(app.db, request.deploymentId, changeContextOf(request), request.params.userId, request.params.passkeyId);
      return {};
    },
  );
};
