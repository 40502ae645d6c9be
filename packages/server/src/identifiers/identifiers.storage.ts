import type { Db } from "../storage/db.js";
import { countRowsOfUsers, selectRowsOfUser, selectRowsOfUsers } from "../storage/owned-rows.js";
import type { UserEmailRow, UserPhoneRow } from "../storage/tables.js";
import { insertRows } from "../storage/bulk-insert.js";

/** The one module that writes user_emails and user_phones. */

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

/** What every new identifier has, whichever its kind. */
export interface NewIdentifier {
  id: string;
  userId: string;
  isPrimary: boolean;
  verified: boolean;
  nowMs: number;
  /** Imports: when the other system got it (created_at and verified_at); default nowMs. */
  createdAt?: number;
}

export interface NewEmail extends NewIdentifier {
  email: string;
  normalized: string;
  verificationStrategy: string;
}

export interface NewPhone extends NewIdentifier {
  phoneNumber: string;
  countryCode: string;
}

const identifierColumns = (deploymentId: string, identifier: NewIdentifier) => ({
  id: identifier.id,
  deployment_id: deploymentId,
  user_id: identifier.userId,
  is_primary: identifier.isPrimary,
  verified: identifier.verified,
  verified_at: identifier.verified ? (identifier.createdAt ?? identifier.nowMs) : null,
  created_at: identifier.createdAt ?? identifier.nowMs,
  updated_at: identifier.nowMs,
});

/** Inserts the email; returns it as a read would (built from the row written). */
export async function insertEmail(db: Db, deploymentId: string, email: NewEmail): Promise<UserEmail> {
  const row = toNewEmailRow(deploymentId, email);
  await insertRows(db, "user_emails", [row]);
  return toUserEmail(row);
}

/** Inserts the phone; returns it as a read would (built from the row written). */
export async function insertPhone(db: Db, deploymentId: string, phone: NewPhone): Promise<UserPhone> {
  const row = toNewPhoneRow(deploymentId, phone);
  await insertRows(db, "user_phones", [row]);
  return toUserPhone(row);
}

const toNewEmailRow = (deploymentId: string, email: NewEmail): UserEmailRow => ({
  ...identifierColumns(deploymentId, email),
  email: email.email,
  email_normalized: email.normalized,
  verification_strategy: email.verificationStrategy,
});

const toNewPhoneRow = (deploymentId: string, phone: NewPhone): UserPhoneRow => ({
  ...identifierColumns(deploymentId, phone),
  phone_number: phone.phoneNumber,
  country_code: phone.countryCode,
});

/** Several in one statement (imports write a batch of users' identifiers this way). */
export async function insertEmails(db: Db, deploymentId: string, emails: NewEmail[]): Promise<void> {
  await insertRows(
    db,
    "user_emails",
    emails.map((email) => toNewEmailRow(deploymentId, email)),
  );
}

export async function insertPhones(db: Db, deploymentId: string, phones: NewPhone[]): Promise<void> {
  await insertRows(
    db,
    "user_phones",
    phones.map((phone) => toNewPhoneRow(deploymentId, phone)),
  );
}

/** The emails and phones of several users at once (export reads a page of users in a few queries). */
export async function listEmailsOfUsers(db: Db, deploymentId: string, userIds: string[]): Promise<UserEmail[]> {
  if (userIds.length === 0) return [];
  const rows = await selectRowsOfUsers(db, "user_emails", deploymentId, userIds).execute();
  return rows.map((row) => toUserEmail(row as UserEmailRow));
}

export async function listPhonesOfUsers(db: Db, deploymentId: string, userIds: string[]): Promise<UserPhone[]> {
  if (userIds.length === 0) return [];
  const rows = await selectRowsOfUsers(db, "user_phones", deploymentId, userIds).execute();
  return rows.map((row) => toUserPhone(row as UserPhoneRow));
}

/** How many rows of this kind each of these users has (users with none are absent). */
export async function countIdentifiersOfUsers(db: Db, table: IdentifierTable, deploymentId: string, userIds: string[]): Promise<Map<string, number>> {
  return countRowsOfUsers(db, table, deploymentId, userIds);
}

/** Which user owns each of these normalized addresses. */
export async function findEmailOwners(db: Db, deploymentId: string, normalizedEmails: string[]): Promise<Map<string, string>> {
  if (normalizedEmails.length === 0) return new Map();
  const rows = await db
    .selectFrom("user_emails")
    .select(["email_normalized", "user_id"])
    .where("deployment_id", "=", deploymentId)
    .where("email_normalized", "in", normalizedEmails)
    .execute();
  return new Map(rows.map((row) => [row.email_normalized, row.user_id]));
}

/** The flags an update may change, whichever the kind; `verified` sets `verified_at` to `updatedAt` (or clears it). */
export interface IdentifierFlagsPatch {
  verified?: boolean;
  isPrimary?: boolean;
  updatedAt: number;
}

function flagColumns(patch: IdentifierFlagsPatch) {
  return {
    ...(patch.verified !== undefined && { verified: patch.verified, verified_at: patch.verified ? patch.updatedAt : null }),
    ...(patch.isPrimary !== undefined && { is_primary: patch.isPrimary }),
    updated_at: patch.updatedAt,
  };
}

export interface EmailPatch extends IdentifierFlagsPatch {
  address?: { email: string; normalized: string };
  verificationStrategy?: string;
}

export interface PhonePatch extends IdentifierFlagsPatch {
  phone?: { phoneNumber: string; countryCode: string };
}

export async function updateEmailRecord(db: Db, deploymentId: string, emailId: string, patch: EmailPatch): Promise<void> {
  const columns = {
    ...flagColumns(patch),
    ...(patch.address && { email: patch.address.email, email_normalized: patch.address.normalized }),
    ...(patch.verificationStrategy !== undefined && { verification_strategy: patch.verificationStrategy }),
  };
  await db.updateTable("user_emails").set(columns).where("deployment_id", "=", deploymentId).where("id", "=", emailId).execute();
}

export async function updatePhoneRecord(db: Db, deploymentId: string, phoneId: string, patch: PhonePatch): Promise<void> {
  const columns = { ...flagColumns(patch), ...(patch.phone && { phone_number: patch.phone.phoneNumber, country_code: patch.phone.countryCode }) };
  await db.updateTable("user_phones").set(columns).where("deployment_id", "=", deploymentId).where("id", "=", phoneId).execute();
}

/** Makes one identifier the primary; clearPrimary() first, as the partial unique index allows one per user. */
export async function setPrimary(db: Db, table: IdentifierTable, deploymentId: string, id: string, nowMs: number): Promise<void> {
  await db.updateTable(table).set({ is_primary: true, updated_at: nowMs }).where("deployment_id", "=", deploymentId).where("id", "=", id).execute();
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

/** The email row with this normalized address in the deployment (addresses are unique per deployment), or null. */
export async function findEmailByNormalized(db: Db, deploymentId: string, normalizedEmail: string): Promise<UserEmail | null> {
  const row = await db
    .selectFrom("user_emails")
    .selectAll()
    .where("deployment_id", "=", deploymentId)
    .where("email_normalized", "=", normalizedEmail)
    .executeTakeFirst();
  return row ? toUserEmail(row) : null;
}
