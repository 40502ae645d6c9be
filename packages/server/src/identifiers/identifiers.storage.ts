import type { Db } from "../storage/db.js";
import { selectRowsOfUser } from "../storage/owned-rows.js";
import type { UserEmailRow, UserPhoneRow } from "../storage/tables.js";

export interface UserEmail {
  id: string;
  deploymentId: string;
  userId: string;
  email: string;
  isPrimary: boolean;
  verified: boolean;
  verifiedAt: number | null;
  verificationStrategy: string;
  createdAt: number;
  updatedAt: number;
}

export interface UserPhone {
  id: string;
  deploymentId: string;
  userId: string;
  phoneNumber: string;
  countryCode: string;
  isPrimary: boolean;
  verified: boolean;
  verifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export const toUserEmail = (row: UserEmailRow): UserEmail => ({
  id: row.id,
  deploymentId: row.deployment_id,
  userId: row.user_id,
  email: row.email,
  isPrimary: Boolean(row.is_primary),
  verified: Boolean(row.verified),
  verifiedAt: row.verified_at,
  verificationStrategy: row.verification_strategy,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toUserPhone = (row: UserPhoneRow): UserPhone => ({
  id: row.id,
  deploymentId: row.deployment_id,
  userId: row.user_id,
  phoneNumber: row.phone_number,
  countryCode: row.country_code,
  isPrimary: Boolean(row.is_primary),
  verified: Boolean(row.verified),
  verifiedAt: row.verified_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The two identifier tables share their shape and rules; the table name is the only difference here. */
export type IdentifierTable = "user_emails" | "user_phones";

export async function listEmails(db: Db, deploymentId: string, userId: string): Promise<UserEmail[]> {
  const rows = await selectRowsOfUser(db, "user_emails", deploymentId, userId).execute();
  return rows.map((row) => toUserEmail(row as UserEmailRow));
}

export async function listPhones(db: Db, deploymentId: string, userId: string): Promise<UserPhone[]> {
  const rows = await selectRowsOfUser(db, "user_phones", deploymentId, userId).execute();
  return rows.map((row) => toUserPhone(row as UserPhoneRow));
}

export async function insertEmail(db: Db, row: UserEmailRow): Promise<void> {
  await db.insertInto("user_emails").values(row).execute();
}

export async function insertPhone(db: Db, row: UserPhoneRow): Promise<void> {
  await db.insertInto("user_phones").values(row).execute();
}

export async function updateEmailRow(db: Db, deploymentId: string, emailId: string, patch: Partial<UserEmailRow>): Promise<void> {
  await db.updateTable("user_emails").set(patch).where("deployment_id", "=", deploymentId).where("id", "=", emailId).execute();
}

export async function updatePhoneRow(db: Db, deploymentId: string, phoneId: string, patch: Partial<UserPhoneRow>): Promise<void> {
  await db.updateTable("user_phones").set(patch).where("deployment_id", "=", deploymentId).where("id", "=", phoneId).execute();
}

export async function deleteIdentifierRow(db: Db, table: IdentifierTable, deploymentId: string, id: string): Promise<void> {
  await db.deleteFrom(table).where("deployment_id", "=", deploymentId).where("id", "=", id).execute();
}

/** Clears the user's primary flag so another row can take it (the partial unique index allows one). */
export async function clearPrimary(db: Db, table: IdentifierTable, deploymentId: string, userId: string, nowMs: number): Promise<void> {
  await db
    .updateTable(table)
    .set({ is_primary: false, updated_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .where("is_primary", "=", true)
    .execute();
}

/** Users owning any of these normalized addresses, for exact-match filters and getUserByEmail. */
interface OwnerOptions {
  /** Only identifiers the user has proven (sign-in accepts no others). */
  verifiedOnly?: boolean;
}

export function emailOwnersQuery(db: Db, deploymentId: string, normalizedEmails: string[], options: OwnerOptions = {}) {
  const query = db
    .selectFrom("user_emails")
    .select("user_id")
    .where("deployment_id", "=", deploymentId)
    .where("email_normalized", "in", normalizedEmails);
  return options.verifiedOnly ? query.where("verified", "=", true) : query;
}

export function phoneOwnersQuery(db: Db, deploymentId: string, phoneNumbers: string[], options: OwnerOptions = {}) {
  const query = db
    .selectFrom("user_phones")
    .select("user_id")
    .where("deployment_id", "=", deploymentId)
    .where("phone_number", "in", phoneNumbers);
  return options.verifiedOnly ? query.where("verified", "=", true) : query;
}
