import { appendAuditEntry, cliActor, type AuditContext, type AuditRecord } from "../audit-log/audit-log.service.js";
import type { Db } from "../storage/db.js";
import { enqueueEvents, type OutboxEvent } from "../webhooks/webhooks.service.js";

/**
 * The one call a domain makes when it changes data: the audit entry and the webhook events are
 * written with the caller's transaction, so they commit with the change or not at all.
 *
 *   await recordChange(trx, deploymentId, context, {
 *     action: "email.update",                       // "<resource>.<verb>"
 *     target: { type: "email", id: email.id },
 *     userId: email.userId,                         // for GET /audit-logs?user_id= (defaults to a user target's id)
 *     changes: ["verified"],                        // field names only, never values
 *     events: [{ type: "email.updated", data: toEmailJson(email) }],  // data = the Backend API's answer
 *   });
 *
 * `context` comes from the route (`changeContextOf(request)` in http/change-context.ts) and is
 * passed down through the service; the CLI passes `cliAuditContext("keys revoke")` where it only audits.
 */
export interface ChangeContext extends AuditContext {
  /**
   * The user's details document exactly as the Backend API answers it, read with the caller's
   * transaction: the `data` of user.* and password.* events. Supplied by the edge
   * (http/change-context.ts), so a domain below user-accounts can send it without importing it.
   */
  describeUser(db: Db, deploymentId: string, userId: string): Promise<unknown>;
}

export interface Change extends AuditRecord {
  events?: OutboxEvent[];
}

export async function recordChange(trx: Db, deploymentId: string, context: ChangeContext, change: Change): Promise<void> {
  const nowMs = Date.now();
  await appendAuditEntry(trx, deploymentId, context, change, nowMs);
  if (change.events?.length) await enqueueEvents(trx, deploymentId, change.events, { nowMs });
}

/** Events of a change no admin made (an end user signing in): webhooks, no audit entry. */
export async function recordEvents(trx: Db, deploymentId: string, events: OutboxEvent[]): Promise<void> {
  await enqueueEvents(trx, deploymentId, events);
}

/**
 * A change the signed-in user makes to their own account through the Frontend API (registering a
 * passkey, using up a backup code): it sends events, as `recordEvents`, but writes no audit entry,
 * since no admin made it. `describeUser` as in ChangeContext.
 */
export interface EndUserContext {
  endUserId: string;
  describeUser: ChangeContext["describeUser"];
}

/** An admin's change (audited) or an end user's own (events only): domains whose writes both make take this. */
export type ActorContext = ChangeContext | EndUserContext;

export const isEndUserContext = (context: ActorContext): context is EndUserContext => "endUserId" in context;

/** recordChange for an admin's change; for an end user's, only its events (recordEvents). */
export async function recordChangeBy(trx: Db, deploymentId: string, context: ActorContext, change: Change): Promise<void> {
  if (!isEndUserContext(context)) return recordChange(trx, deploymentId, context, change);
  if (change.events?.length) await recordEvents(trx, deploymentId, change.events);
}

/** The wire names of the fields a request sets (`undefined` = not sent), for `changes`. */
export function changedFields(fields: Record<string, unknown>): string[] {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name);
}

/** The audit context of a `wacht` CLI command run on the server's machine (no user changes: no describeUser). */
export function cliAuditContext(command: string): AuditContext {
  return { actor: cliActor(command), requestId: null, ipAddress: null };
}

export type { OutboxEvent };
