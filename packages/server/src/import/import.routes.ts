import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { errorResponses } from "../http/common.schemas.js";
import { ImportUsersBodySchema, ImportUsersResponseSchema, toImportResponseJson } from "./import.schemas.js";
import { importUsers } from "./import.service.js";

// 1,000 users with a few identifiers, a digest and some metadata come to 1–4 MiB of JSON; this
// leaves room for generous metadata without letting one call hold a gigabyte.
export const MAX_IMPORT_BODY_BYTES = 32 * 1024 * 1024;

export const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/users/import",
    {
      bodyLimit: MAX_IMPORT_BODY_BYTES,
      schema: {
        tags: ["users"],
        summary: "Import up to 1,000 users from another provider, keeping their password hashes",
        description:
          "Each item succeeds or fails on its own (its own savepoint: never a partial user). An item whose external_id — or, without one, primary email — exists is skipped (on_conflict skip, the default) or updated. Digests are checked, never verified. Webhook events only with emit_events; one user.import audit entry per call.",
        body: ImportUsersBodySchema,
        response: { 200: ImportUsersResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      const summary = await importUsers(app.db, { secretBox: app.secretBox, context: changeContextOf(request) }, request.deploymentId, body.users, {
        onConflict: body.on_conflict,
        dryRun: body.dry_run,
        emitEvents: body.emit_events,
      });
      return toImportResponseJson(summary);
    },
  );
};
