import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses } from "../http/common.schemas.js";
import { parseTimestampParameter } from "../http/timestamp-parameter.js";
import { AuditLogPageSchema, ListAuditLogQuerySchema, toAuditLogEntryJson } from "./audit-log.schemas.js";
import { listAuditLog } from "./audit-log.service.js";

/** Backend API: who changed what in this deployment, newest first. */
export const auditLogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/audit-logs",
    {
      schema: {
        tags: ["audit-logs"],
        summary: "List audit log entries, newest first",
        querystring: ListAuditLogQuerySchema,
        response: { 200: AuditLogPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query;
      const page = await listAuditLog(app.db, request.deploymentId, {
        userId: query.user_id,
        action: query.action,
        actorId: query.actor_id,
        sinceMs: parseTimestampParameter("since", query.since),
        untilMs: parseTimestampParameter("until", query.until),
        limit: query.limit,
        startingAfter: query.starting_after,
      });
      return { data: page.items.map(toAuditLogEntryJson), has_more: page.hasMore };
    },
  );
};
