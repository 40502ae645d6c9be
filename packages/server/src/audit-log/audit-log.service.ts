import { generateId } from "../ids.js";
import type { Db } from "../storage/db.js";
import { deleteAuditEntriesBefore, insertAuditEntry, listAuditEntries, type Actor, type AuditEntry, type AuditEntryQuery } from "./audit-log.storage.js";

export type { Actor, ActorType, AuditEntry, AuditEntryQuery } from "./audit-log.storage.js";

/** Who made a change, and through which request: routes build it from the request, the CLI from itself. */
export interface AuditContext {
  actor: Actor;
  requestId: string | null;
  ipAddress: string | null;
}

export interface AuditRecord {
  /** `<resource>.<verb>`, e.g. "user.update", "email.make_primary", "api_key.revoke". */
  action: string;
  target: { type: string; id: string };
  /** The user the change concerns, for `GET /audit-logs?user_id=`. */
  userId?: string | null;
  /** Names of the fields that changed; never their values. */
  changes?: string[];
}

/** The actor of every command run from the `wacht` CLI on this machine. */
export const cliActor = (command: string): Actor => ({ type: "cli", id: "cli", name: `wacht ${command}` });

/** Appends an entry; call it with the transaction that makes the change, so both commit or neither does. */
export async function appendAuditEntry(trx: Db, deploymentId: string, context: AuditContext, record: AuditRecord, nowMs = Date.now()): Promise<string> {
  const id = generateId("aud", nowMs);
  await insertAuditEntry(trx, deploymentId, {
    id,
    createdAt: nowMs,
    actor: context.actor,
    action: record.action,
    target: record.target,
    userId: record.userId ?? (record.target.type === "user" ? record.target.id : null),
    requestId: context.requestId,
    ipAddress: context.ipAddress,
    changes: [...new Set(record.changes ?? [])],
  });
  return id;
}

export async function listAuditLog(db: Db, deploymentId: string, query: AuditEntryQuery): Promise<{ items: AuditEntry[]; hasMore: boolean }> {
  return listAuditEntries(db, deploymentId, query);
}

/** Deletes entries older than the retention; 0 days keeps everything. */
export async function pruneAuditLog(db: Db, retentionDays: number, nowMs = Date.now()): Promise<number> {
  if (retentionDays <= 0) return 0;
  return deleteAuditEntriesBefore(db, nowMs - retentionDays * 86_400_000);
}
