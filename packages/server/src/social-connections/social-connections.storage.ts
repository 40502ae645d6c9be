import type { Db } from "../storage/db.js";
import { countRowsOfUsers, selectRowsOfUser, selectRowsOfUsers } from "../storage/owned-rows.js";
import type { SocialConnectionRow } from "../storage/tables.js";
import { insertRows } from "../storage/bulk-insert.js";

export interface SocialConnection {
  id: string;
  deploymentId: string;
  userId: string;
  userEmailAddressId: string | null;
  provider: string;
  providerUserId: string;
  emailAddress: string | null;
  createdAt: number;
  updatedAt: number;
}

export const toSocialConnection = (row: SocialConnectionRow): SocialConnection => ({
  id: row.id,
  deploymentId: row.deployment_id,
  userId: row.user_id,
  userEmailAddressId: row.user_email_address_id,
  provider: row.provider,
  providerUserId: row.provider_user_id,
  emailAddress: row.email_address,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function listSocialConnections(db: Db, deploymentId: string, userId: string): Promise<SocialConnection[]> {
  const rows = await selectRowsOfUser(db, "social_connections", deploymentId, userId).execute();
  return rows.map((row) => toSocialConnection(row as SocialConnectionRow));
}

export interface NewSocialConnection {
  id: string;
  userId: string;
  userEmailAddressId: string | null;
  provider: string;
  providerUserId: string;
  emailAddress: string | null;
  nowMs: number;
  /** Imports: when the other system linked it; default nowMs. */
  createdAt?: number;
}

const toNewConnectionRow = (deploymentId: string, connection: NewSocialConnection): SocialConnectionRow => ({
  id: connection.id,
  deployment_id: deploymentId,
  user_id: connection.userId,
  user_email_address_id: connection.userEmailAddressId,
  provider: connection.provider,
  provider_user_id: connection.providerUserId,
  email_address: connection.emailAddress,
  created_at: connection.createdAt ?? connection.nowMs,
  updated_at: connection.nowMs,
});

export async function insertSocialConnection(db: Db, deploymentId: string, connection: NewSocialConnection): Promise<SocialConnection> {
  const row = toNewConnectionRow(deploymentId, connection);
  await db.insertInto("social_connections").values(row).execute();
  return toSocialConnection(row);
}

/** Several in one statement (imports). */
export async function insertSocialConnections(db: Db, deploymentId: string, connections: NewSocialConnection[]): Promise<void> {
  await insertRows(
    db,
    "social_connections",
    connections.map((c) => toNewConnectionRow(deploymentId, c)),
  );
}

/** How many connections each of these users has (users with none are absent). */
export async function countSocialConnectionsOfUsers(db: Db, deploymentId: string, userIds: string[]): Promise<Map<string, number>> {
  return countRowsOfUsers(db, "social_connections", deploymentId, userIds);
}

export async function listSocialConnectionsOfUsers(db: Db, deploymentId: string, userIds: string[]): Promise<SocialConnection[]> {
  if (userIds.length === 0) return [];
  const rows = await selectRowsOfUsers(db, "social_connections", deploymentId, userIds).execute();
  return rows.map((row) => toSocialConnection(row as SocialConnectionRow));
}

/** Unlinks connections from a user email that is being deleted; they keep their own email_address. */
export async function clearSocialConnectionEmailId(db: Db, deploymentId: string, userId: string, emailId: string): Promise<void> {
  await db
    .updateTable("social_connections")
    .set({ user_email_address_id: null })
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .where("user_email_address_id", "=", emailId)
    .execute();
}

/** Returns whether the user had that connection. */
export async function deleteSocialConnectionRow(db: Db, deploymentId: string, userId: string, connectionId: string): Promise<boolean> {
  const result = await db
    .deleteFrom("social_connections")
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .where("id", "=", connectionId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The connection of one provider account (unique per deployment), or null. */
export async function findSocialConnectionByProviderUser(
  db: Db,
  deploymentId: string,
  provider: string,
  providerUserId: string,
): Promise<SocialConnection | null> {
  const row = await db
    .selectFrom("social_connections")
    .selectAll()
    .where("deployment_id", "=", deploymentId)
    .where("provider", "=", provider)
    .where("provider_user_id", "=", providerUserId)
    .executeTakeFirst();
  return row ? toSocialConnection(row) : null;
}
