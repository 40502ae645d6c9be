import { changedFields, recordChange, type ChangeContext } from "../changes/changes.service.js";
import { toEmailJson } from "../identifiers/identifiers.schemas.js";
import { toSocialConnectionJson } from "./social-connections.schemas.js";
import { withUniqueConflicts } from "../conflicts.js";
import { errors } from "../errors.js";
import { attachVerifiedEmail, listEmails } from "../identifiers/identifiers.service.js";
import { generateId } from "../ids.js";
import type { Db } from "../storage/db.js";
import { lockUser, requireUser } from "../users/users.service.js";
import { MAX_SOCIAL_CONNECTIONS_PER_USER } from "./limits.js";
import {
  clearSocialConnectionEmailId,
  countSocialConnectionsOfUsers,
  deleteSocialConnectionRow,
  findSocialConnectionByProviderUser,
  insertSocialConnection,
  insertSocialConnections,
  listSocialConnections,
  listSocialConnectionsOfUsers,
  toSocialConnection,
  type NewSocialConnection,
  type SocialConnection,
} from "./social-connections.storage.js";

export type { NewSocialConnection, SocialConnection };
/** toSocialConnection turns stored rows read elsewhere (the one-statement details read) into connections. */
export { listSocialConnections, listSocialConnectionsOfUsers, toSocialConnection };

/**
 * Inside the caller's transaction (imports): connections of new or existing users, several per
 * statement, providers already normalized; a linked provider account is a 409 naming `field`, a
 * user past the cap a 400 naming `social_connections`.
 */
export async function insertSocialConnectionRecords(trx: Db, deploymentId: string, connections: NewSocialConnection[], field?: string): Promise<void> {
  if (connections.length === 0) return;
  const adding = new Map<string, number>();
  for (const connection of connections) adding.set(connection.userId, (adding.get(connection.userId) ?? 0) + 1);
  await ensureRoom(trx, deploymentId, adding, "social_connections");
  await withUniqueConflicts(() => insertSocialConnections(trx, deploymentId, connections), field ? { provider_user_id: field } : {});
}

/**
 * A 400 naming `field` when these many new connections would take a user past
 * MAX_SOCIAL_CONNECTIONS_PER_USER. The caller holds each user's row locked (lockUser) or has just
 * created it, so the count stays true until its transaction ends.
 */
async function ensureRoom(trx: Db, deploymentId: string, adding: Map<string, number>, field: string): Promise<void> {
  const stored = await countSocialConnectionsOfUsers(trx, deploymentId, [...adding.keys()]);
  for (const [userId, count] of adding) {
    if ((stored.get(userId) ?? 0) + count > MAX_SOCIAL_CONNECTIONS_PER_USER)
      throw errors.per_user_limit_reached(field, "social connections", MAX_SOCIAL_CONNECTIONS_PER_USER);
  }
}

/** Inside the caller's transaction, when an email is removed: connections keep their own address but no longer point at the row. */
export const detachEmailFromSocialConnections = clearSocialConnectionEmailId;

const PROVIDER_PATTERN = /^[a-z][a-z0-9_]{1,39}$/;

/** "google" and "google_oauth" name the same provider; we store the second, as the wire protocol shows it. */
export function normalizeProvider(raw: string): string {
  const provider = raw.trim().toLowerCase();
  if (!PROVIDER_PATTERN.test(provider)) throw errors.validation_failed({ provider: 'must be a provider name such as "google" or "github_oauth"' });
  return provider.endsWith("_oauth") ? provider : `${provider}_oauth`;
}

export async function getSocialConnections(db: Db, deploymentId: string, userId: string): Promise<SocialConnection[]> {
  await requireUser(db, deploymentId, userId);
  return listSocialConnections(db, deploymentId, userId);
}

/**
 * Links an OAuth identity to a user (for users migrating from another provider). Its email, when
 * given, is added to the user as verified by that provider unless the user already has it.
 */
export async function linkSocialConnection(
  db: Db,
  deploymentId: string,
  context: ChangeContext,
  userId: string,
  input: { provider: string; providerUserId: string; emailAddress?: string },
): Promise<SocialConnection> {
  const provider = normalizeProvider(input.provider);
  const providerUserId = input.providerUserId.trim();
  if (providerUserId.length < 1 || providerUserId.length > 255) throw errors.validation_failed({ provider_user_id: "must be 1 to 255 characters" });
  return db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    await ensureRoom(trx, deploymentId, new Map([[userId, 1]]), "provider_user_id");
    const now = Date.now();
    const emailsBefore = await listEmails(trx, deploymentId, userId);
    const emailId = input.emailAddress
      ? await attachVerifiedEmail(trx, deploymentId, userId, input.emailAddress, `oauth_${provider.replace(/_oauth$/, "")}`, now)
      : null;
    const connection = await withUniqueConflicts(() =>
      insertSocialConnection(trx, deploymentId, {
        id: generateId("sca"),
        userId,
        userEmailAddressId: emailId,
        provider,
        providerUserId,
        emailAddress: input.emailAddress?.trim() ?? null,
        nowMs: now,
      }),
    );
    // The email the provider brought is a change of its own when it is new or newly verified.
    const attached = emailId === null ? undefined : (await listEmails(trx, deploymentId, userId)).find((email) => email.id === emailId);
    const before = emailsBefore.find((email) => email.id === emailId);
    const emailEvents = !attached || before?.verified ? [] : [{ type: before ? "email.updated" : "email.created", data: toEmailJson(attached) }];
    await recordChange(trx, deploymentId, context, {
      action: "social_connection.create",
      target: { type: "social_connection", id: connection.id },
      userId,
      changes: changedFields({ provider: input.provider, provider_user_id: input.providerUserId, email_address: input.emailAddress }),
      events: [{ type: "social_connection.created", data: toSocialConnectionJson(connection) }, ...emailEvents],
    });
    return connection;
  });
}

/** Unlinks the connection; the email it brought stays with the user, as a verified address. */
export async function unlinkSocialConnection(db: Db, deploymentId: string, context: ChangeContext, userId: string, connectionId: string): Promise<void> {
  await requireUser(db, deploymentId, userId);
  await db.transaction().execute((trx) => unlinkSocialConnectionInTransaction(trx, deploymentId, context, userId, connectionId));
}

/** The same inside the caller's transaction (a user unlinking their own provider, with their row locked). */
export async function unlinkSocialConnectionInTransaction(
  trx: Db,
  deploymentId: string,
  context: ChangeContext,
  userId: string,
  connectionId: string,
): Promise<void> {
  const deleted = await deleteSocialConnectionRow(trx, deploymentId, userId, connectionId);
  if (!deleted) throw errors.social_connection_not_found(userId, connectionId);
  await recordChange(trx, deploymentId, context, {
    action: "social_connection.delete",
    target: { type: "social_connection", id: connectionId },
    userId,
    events: [{ type: "social_connection.deleted", data: { id: connectionId, deleted: true } }],
  });
}

/** The connection of one provider account, whoever it belongs to, or null: how a social sign-in finds its user. */
export const findSocialConnectionByIdentity = (db: Db, deploymentId: string, provider: string, providerUserId: string): Promise<SocialConnection | null> =>
  findSocialConnectionByProviderUser(db, deploymentId, provider, providerUserId);

/**
 * Inside the caller's transaction: records a connection a social sign-in proved, for a provider
 * name the caller has already checked. `userEmailAddressId` is the user's email it vouches for, if any.
 * Within the cap: the caller holds the user's row locked, or has just created the user.
 */
export async function addProvenSocialConnection(
  trx: Db,
  deploymentId: string,
  userId: string,
  input: { provider: string; providerUserId: string; emailAddress: string | null; userEmailAddressId: string | null; nowMs: number },
): Promise<SocialConnection> {
  await ensureRoom(trx, deploymentId, new Map([[userId, 1]]), "provider");
  return withUniqueConflicts(() =>
    insertSocialConnection(trx, deploymentId, {
      id: generateId("sca", input.nowMs),
      userId,
      userEmailAddressId: input.userEmailAddressId,
      provider: input.provider,
      providerUserId: input.providerUserId,
      emailAddress: input.emailAddress,
      nowMs: input.nowMs,
    }),
  );
}

/** One of the user's connections, or NotFoundError (another user's answers the same as a missing one). */
export async function getSocialConnection(db: Db, deploymentId: string, userId: string, connectionId: string): Promise<SocialConnection> {
  const found = (await listSocialConnections(db, deploymentId, userId)).find((connection) => connection.id === connectionId);
  if (!found) throw errors.social_connection_not_found(userId, connectionId);
  return found;
}
