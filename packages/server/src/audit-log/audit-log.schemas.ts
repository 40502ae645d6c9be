import { Type, type Static } from "typebox";
import { Id, Nullable, Timestamp, toTimestamp } from "../http/common.schemas.js";
import type { AuditEntry } from "./audit-log.service.js";

export const AuditLogEntrySchema = Type.Object(
  {
    id: Type.String(),
    created_at: Timestamp,
    deployment_id: Type.String(),
    actor: Type.Object({ type: Type.Union([Type.Literal("api_key"), Type.Literal("cli"), Type.Literal("user")]), id: Type.String(), name: Type.String() }),
    action: Type.String({ description: '"<resource>.<verb>", e.g. "user.update", "email.make_primary", "api_key.revoke"' }),
    target: Type.Object({ type: Type.String(), id: Type.String() }),
    request_id: Nullable(Type.String()),
    ip_address: Nullable(Type.String()),
    changes: Type.Array(Type.String(), { description: "Names of the fields that changed; never their values" }),
  },
  { additionalProperties: false },
);

export const AuditLogPageSchema = Type.Object({ data: Type.Array(AuditLogEntrySchema), has_more: Type.Boolean() });

export const ListAuditLogQuerySchema = Type.Object({
  user_id: Type.Optional(Id),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  actor_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  since: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "RFC 3339; entries at or after" })),
  until: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "RFC 3339; entries at or before" })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  starting_after: Type.Optional(Id),
});
export type ListAuditLogQuery = Static<typeof ListAuditLogQuerySchema>;

export function toAuditLogEntryJson(entry: AuditEntry): Static<typeof AuditLogEntrySchema> {
  return {
    id: entry.id,
    created_at: toTimestamp(entry.createdAt),
    deployment_id: entry.deploymentId,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    request_id: entry.requestId,
    ip_address: entry.ipAddress,
    changes: entry.changes,
  };
}
