import { insertRows } from "../storage/bulk-insert.js";
import type { Db } from "../storage/db.js";
import type { AuditLogEntryRow } from "../storage/tables.js";

/** "user": an end user changing their own account through the frontend API (e.g. unlinking a provider). */
export type ActorType = "api_key" | "cli" | "user";

export interface Actor {
  type: ActorType;
  id: string;
  name: string;
}

export interface AuditEntry {
  id: string;
  deploymentId: string;
  createdAt: number;
  actor: Actor;
  action: string;
  target: { type: string; id: string };
  userId: string | null;
  requestId: string | null;
  ipAddress: string | null;
  /** Field names only, never their values. */
  changes: string[];
}

export interface AuditEntryQuery {
  userId?: string;
  action?: string;
  actorId?: string;
  sinceMs?: number;
  untilMs?: number;
  limit: number;
  /** An entry id: the page starts with the entry just older than it. */
  startingAfter?: string;
}

const toAuditEntry = (row: AuditLogEntryRow): AuditEntry => ({
  id: row.id,
  deploymentId: row.deployment_id,
  createdAt: row.created_at,
  actor: { type: row.actor_type as ActorType, id: row.actor_id, name: row.actor_name },
  action: row.action,
  target: { type: row.target_type, id: row.target_id },
  userId: row.user_id,
  requestId: row.request_id,
  ipAddress: row.ip_address,
  changes: JSON.parse(row.changes) as string[],
});

// Entries are only ever inserted and, past the retention, deleted: there is no update here on purpose.
export async function insertAuditEntry(db: Db, deploymentId: string, entry: Omit<AuditEntry, "deploymentId">): Promise<void> {
  // Every change writes one: the statement text is built once (storage/bulk-insert.ts), not by Kysely per call.
  await insertRows(db, "audit_log_entries", [
    {
      id: entry.id,
      deployment_id: deploymentId,
      created_at: entry.createdAt,
      actor_type: entry.actor.type,
      actor_id: entry.actor.id,
      actor_name: entry.actor.name,
      action: entry.action,
      target_type: entry.target.type,
      target_id: entry.target.id,
      user_id: entry.userId,
      request_id: entry.requestId,
      ip_address: entry.ipAddress,
      changes: JSON.stringify(entry.changes),
    },
  ]);
}

/** Newest first. Ids are time-ordered, so "older than the cursor" is `id < cursor`, a stable order even within one millisecond. */
export async function listAuditEntries(db: Db, deploymentId: string, query: AuditEntryQuery): Promise<{ items: AuditEntry[]; hasMore: boolean }> {
  let select = db.selectFrom("audit_log_entries").selectAll().where("deployment_id", "=", deploymentId);
  if (query.userId !== undefined) select = select.where("user_id", "=", query.userId);
  if (query.action !== undefined) select = select.where("action", "=", query.action);
  if (query.actorId !== undefined) select = select.where("actor_id", "=", query.actorId);
  if (query.sinceMs !== undefined) select = select.where("created_at", ">=", query.sinceMs);
  if (query.untilMs !== undefined) select = select.where("created_at", "<=", query.untilMs);
  if (query.startingAfter !== undefined) select = select.where("id", "<", query.startingAfter);
  const rows = await select
    .orderBy("id", "desc")
    .limit(query.limit + 1)
    .execute();
  return { items: rows.slice(0, query.limit).map(toAuditEntry), hasMore: rows.length > query.limit };
}

/** Retention runs over every deployment at once: the one query here not scoped to a deployment. */
export async function deleteAuditEntriesBefore(db: Db, cutoffMs: number): Promise<number> {
  const result = await db.deleteFrom("audit_log_entries").where("created_at", "<", cutoffMs).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
