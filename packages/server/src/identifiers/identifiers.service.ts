import { withUniqueConflicts } from "../conflicts.js";
import { ConflictError, NotFoundError, ValidationError, userNotFound } from "../errors.js";
import { generateId } from "../ids.js";
import { clearSocialConnectionEmailId } from "../social-connections/social-connections.storage.js";
import type { Db } from "../storage/db.js";
import { forUpdate } from "../storage/dialect.js";
import { findUser, refreshUserDerivedColumns } from "../users/users.storage.js";
import {
  clearPrimary,
  deleteIdentifierRow,
  insertEmail,
  insertPhone,
  listEmails,
  listPhones,
  updateEmailRow,
  updatePhoneRow,
  type IdentifierTable,
  type UserEmail,
  type UserPhone,
} from "./identifiers.storage.js";
import { normalizeEmail, normalizePhone } from "./normalize.js";

export type { UserEmail, UserPhone };

/**
 * The rules for emails and phones are the same, written once:
 * - a primary identifier is verified, on every path;
 * - a user has at most one primary of each kind, and the first verified one becomes primary;
 * - the primary cannot be removed (or un-primaried) while the user has another of that kind;
 * - users.primary_*_id and the is_primary flags always agree (refreshUserDerivedColumns).
 */
interface IdentifierKind<T extends { id: string; isPrimary: boolean; verified: boolean }> {
  noun: "email address" | "phone number";
  table: IdentifierTable;
  valueField: "email" | "phone_number";
  notFoundCode: string;
  list(db: Db, deploymentId: string, userId: string): Promise<T[]>;
}

const emailKind: IdentifierKind<UserEmail> = {
  noun: "email address",
  table: "user_emails",
  valueField: "email",
  notFoundCode: "email_not_found",
  list: listEmails,
};

const phoneKind: IdentifierKind<UserPhone> = {
  noun: "phone number",
  table: "user_phones",
  valueField: "phone_number",
  notFoundCode: "phone_number_not_found",
  list: listPhones,
};

export interface IdentifierFlags {
  verified?: boolean;
  isPrimary?: boolean;
}

/** Locks the user (Postgres) so concurrent identifier changes of one user apply one after another. */
async function lockUser(trx: Db, deploymentId: string, userId: string): Promise<void> {
  const user = await forUpdate(trx, trx.selectFrom("users").select("id").where("deployment_id", "=", deploymentId).where("id", "=", userId)).executeTakeFirst();
  if (!user) throw userNotFound(userId);
}

async function findOwned<T extends { id: string; isPrimary: boolean; verified: boolean }>(
  trx: Db,
  kind: IdentifierKind<T>,
  deploymentId: string,
  userId: string,
  id: string,
): Promise<{ target: T; all: T[] }> {
  const all = await kind.list(trx, deploymentId, userId);
  const target = all.find((item) => item.id === id);
  // Another user's identifier answers exactly like a missing one: ids must not probe other accounts.
  if (!target) throw new NotFoundError(`User '${userId}' has no ${kind.noun} '${id}'.`, kind.notFoundCode);
  return { target, all };
}

function primaryMustBeVerified(kind: IdentifierKind<any>, status: 400 | 409): Error {
  const message = `A primary ${kind.noun} must be verified.`;
  return status === 400
    ? new ValidationError(message, { is_primary: message }, "primary_must_be_verified")
    : new ConflictError(message, "primary_must_be_verified", "is_primary");
}

function primaryRequired(kind: IdentifierKind<any>): Error {
  return new ConflictError(
    `This is the user's primary ${kind.noun} and the user has another one: make another primary first.`,
    kind === emailKind ? "primary_email_required" : "primary_phone_number_required",
  );
}

async function finish<T extends { id: string }>(trx: Db, kind: IdentifierKind<any>, deploymentId: string, userId: string, id: string, nowMs: number): Promise<T> {
  await refreshUserDerivedColumns(trx, deploymentId, userId, nowMs);
  const all: T[] = await kind.list(trx, deploymentId, userId);
  return all.find((item) => item.id === id)!;
}

// ---- emails

export async function getEmails(db: Db, deploymentId: string, userId: string): Promise<UserEmail[]> {
  if (!(await findUser(db, deploymentId, userId))) throw userNotFound(userId);
  return listEmails(db, deploymentId, userId);
}

export async function addEmail(db: Db, deploymentId: string, userId: string, input: { email: string } & IdentifierFlags): Promise<UserEmail> {
  const { email, normalized } = normalizeEmail(input.email);
  const verified = input.verified ?? false;
  if (input.isPrimary && !verified) throw primaryMustBeVerified(emailKind, 400);
  return db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const now = Date.now();
    const isPrimary = await takePrimaryIfDue(trx, emailKind, deploymentId, userId, input.isPrimary, verified, now);
    const id = generateId("eml");
    await withUniqueConflicts(
      () =>
        insertEmail(trx, {
          id,
          deployment_id: deploymentId,
          user_id: userId,
          email,
          email_normalized: normalized,
          is_primary: isPrimary,
          verified,
          verified_at: verified ? now : null,
          verification_strategy: "otp",
          created_at: now,
          updated_at: now,
        }),
      { email_address: "email" },
    );
    return finish<UserEmail>(trx, emailKind, deploymentId, userId, id, now);
  });
}

export async function updateEmail(
  db: Db,
  deploymentId: string,
  userId: string,
  emailId: string,
  input: { email?: string } & IdentifierFlags,
): Promise<UserEmail> {
  const address = input.email === undefined ? undefined : normalizeEmail(input.email);
  return db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const now = Date.now();
    const { target, all } = await findOwned(trx, emailKind, deploymentId, userId, emailId);
    const flags = await applyFlagChange(trx, emailKind, userId, target, all, input, now);
    await withUniqueConflicts(
      () =>
        updateEmailRow(trx, deploymentId, emailId, {
          ...(address && { email: address.email, email_normalized: address.normalized }),
          ...flags,
          updated_at: now,
        }),
      { email_address: "email" },
    );
    return finish<UserEmail>(trx, emailKind, deploymentId, userId, emailId, now);
  });
}

// ---- phones

export async function getPhones(db: Db, deploymentId: string, userId: string): Promise<UserPhone[]> {
  if (!(await findUser(db, deploymentId, userId))) throw userNotFound(userId);
  return listPhones(db, deploymentId, userId);
}

export async function addPhone(
  db: Db,
  deploymentId: string,
  userId: string,
  input: { phoneNumber: string; countryCode?: string } & IdentifierFlags,
): Promise<UserPhone> {
  const phone = normalizePhone(input.phoneNumber, input.countryCode);
  const verified = input.verified ?? false;
  if (input.isPrimary && !verified) throw primaryMustBeVerified(phoneKind, 400);
  return db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const now = Date.now();
    const isPrimary = await takePrimaryIfDue(trx, phoneKind, deploymentId, userId, input.isPrimary, verified, now);
    const id = generateId("phn");
    await withUniqueConflicts(() =>
      insertPhone(trx, {
        id,
        deployment_id: deploymentId,
        user_id: userId,
        phone_number: phone.phoneNumber,
        country_code: phone.countryCode,
        is_primary: isPrimary,
        verified,
        verified_at: verified ? now : null,
        created_at: now,
        updated_at: now,
      }),
    );
    return finish<UserPhone>(trx, phoneKind, deploymentId, userId, id, now);
  });
}

export async function updatePhone(
  db: Db,
  deploymentId: string,
  userId: string,
  phoneId: string,
  input: { phoneNumber?: string; countryCode?: string } & IdentifierFlags,
): Promise<UserPhone> {
  return db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const now = Date.now();
    const { target, all } = await findOwned(trx, phoneKind, deploymentId, userId, phoneId);
    // A new country code alone re-reads the stored number in that country.
    const phone =
      input.phoneNumber !== undefined || input.countryCode !== undefined
        ? normalizePhone(input.phoneNumber ?? target.phoneNumber, input.countryCode ?? (input.phoneNumber ? undefined : target.countryCode))
        : undefined;
    const flags = await applyFlagChange(trx, phoneKind, userId, target, all, input, now);
    await withUniqueConflicts(() =>
      updatePhoneRow(trx, deploymentId, phoneId, {
        ...(phone && { phone_number: phone.phoneNumber, country_code: phone.countryCode }),
        ...flags,
        updated_at: now,
      }),
    );
    return finish<UserPhone>(trx, phoneKind, deploymentId, userId, phoneId, now);
  });
}

// ---- both kinds

export const removeEmail = (db: Db, deploymentId: string, userId: string, emailId: string) =>
  removeIdentifier(db, emailKind, deploymentId, userId, emailId);
export const removePhone = (db: Db, deploymentId: string, userId: string, phoneId: string) =>
  removeIdentifier(db, phoneKind, deploymentId, userId, phoneId);
export const makeEmailPrimary = (db: Db, deploymentId: string, userId: string, emailId: string) =>
  makePrimary(db, emailKind, deploymentId, userId, emailId);
export const makePhonePrimary = (db: Db, deploymentId: string, userId: string, phoneId: string) =>
  makePrimary(db, phoneKind, deploymentId, userId, phoneId);

async function removeIdentifier<T extends { id: string; isPrimary: boolean; verified: boolean }>(
  db: Db,
  kind: IdentifierKind<T>,
  deploymentId: string,
  userId: string,
  id: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const { target, all } = await findOwned(trx, kind, deploymentId, userId, id);
    if (target.isPrimary && all.length > 1) throw primaryRequired(kind);
    await deleteIdentifierRow(trx, kind.table, deploymentId, id);
    // A social connection keeps the provider's address but must not point at a deleted row.
    if (kind.table === "user_emails") await clearSocialConnectionEmailId(trx, deploymentId, userId, id);
    await refreshUserDerivedColumns(trx, deploymentId, userId, Date.now());
  });
}

async function makePrimary<T extends { id: string; isPrimary: boolean; verified: boolean }>(
  db: Db,
  kind: IdentifierKind<T>,
  deploymentId: string,
  userId: string,
  id: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const now = Date.now();
    const { target } = await findOwned(trx, kind, deploymentId, userId, id);
    if (!target.verified) throw primaryMustBeVerified(kind, 409);
    if (target.isPrimary) return;
    await clearPrimary(trx, kind.table, deploymentId, userId, now);
    await withUniqueConflicts(() =>
      trx.updateTable(kind.table).set({ is_primary: true, updated_at: now }).where("deployment_id", "=", deploymentId).where("id", "=", id).execute(),
    );
    await refreshUserDerivedColumns(trx, deploymentId, userId, now);
  });
}

/** Whether a new identifier becomes primary: when asked, or when it is verified and the user has no primary yet. */
async function takePrimaryIfDue(
  trx: Db,
  kind: IdentifierKind<any>,
  deploymentId: string,
  userId: string,
  requested: boolean | undefined,
  verified: boolean,
  nowMs: number,
): Promise<boolean> {
  if (requested === false || !verified) return false;
  const hasPrimary = (await kind.list(trx, deploymentId, userId)).some((item: { isPrimary: boolean }) => item.isPrimary);
  if (requested && hasPrimary) await clearPrimary(trx, kind.table, deploymentId, userId, nowMs);
  return requested === true || !hasPrimary;
}

/** Applies `verified` / `is_primary` from an update under the rules above; returns the columns to write. */
async function applyFlagChange<T extends { id: string; deploymentId: string; isPrimary: boolean; verified: boolean }>(
  trx: Db,
  kind: IdentifierKind<T>,
  userId: string,
  target: T,
  all: T[],
  input: IdentifierFlags,
  nowMs: number,
): Promise<{ verified?: boolean; verified_at?: number | null; is_primary?: boolean }> {
  const verified = input.verified ?? target.verified;
  const isPrimary = input.isPrimary ?? target.isPrimary;
  if (isPrimary && !verified) {
    throw input.isPrimary ? primaryMustBeVerified(kind, 400) : new ConflictError(`The primary ${kind.noun} must stay verified: make another primary first.`, "primary_must_be_verified", "verified");
  }
  if (target.isPrimary && !isPrimary) {
    if (all.length > 1) throw primaryRequired(kind);
    throw new ConflictError(`A verified ${kind.noun} of a user stays primary while it is the only one.`, "primary_required", "is_primary");
  }
  const columns: { verified?: boolean; verified_at?: number | null; is_primary?: boolean } = {};
  if (verified !== target.verified) Object.assign(columns, { verified, verified_at: verified ? nowMs : null });
  if (isPrimary && !target.isPrimary) {
    await clearPrimary(trx, kind.table, target.deploymentId, userId, nowMs);
    columns.is_primary = true;
  } else if (verified && !target.verified && !all.some((item) => item.isPrimary)) {
    // Newly verified and nothing is primary yet: it becomes the primary, as on add.
    columns.is_primary = true;
  }
  return columns;
}

/**
 * Inside the caller's transaction: the id of the user's email with this address, adding it as
 * verified (by `verificationStrategy`, e.g. "oauth_google") when the user does not have it yet.
 */
export async function attachVerifiedEmail(trx: Db, deploymentId: string, userId: string, rawEmail: string, verificationStrategy: string, nowMs: number): Promise<string> {
  const { email, normalized } = normalizeEmail(rawEmail, "email_address");
  const existing = (await listEmails(trx, deploymentId, userId)).find((item) => item.email.toLowerCase() === normalized);
  if (existing?.verified) return existing.id;
  if (existing) {
    // The provider has proven the address: an unverified copy of it becomes verified.
    const becomesPrimary = await takePrimaryIfDue(trx, emailKind, deploymentId, userId, undefined, true, nowMs);
    await updateEmailRow(trx, deploymentId, existing.id, { verified: true, verified_at: nowMs, verification_strategy: verificationStrategy, ...(becomesPrimary && { is_primary: true }), updated_at: nowMs });
    await refreshUserDerivedColumns(trx, deploymentId, userId, nowMs);
    return existing.id;
  }
  const isPrimary = await takePrimaryIfDue(trx, emailKind, deploymentId, userId, undefined, true, nowMs);
  const id = generateId("eml");
  await withUniqueConflicts(() =>
    insertEmail(trx, {
      id,
      deployment_id: deploymentId,
      user_id: userId,
      email,
      email_normalized: normalized,
      is_primary: isPrimary,
      verified: true,
      verified_at: nowMs,
      verification_strategy: verificationStrategy,
      created_at: nowMs,
      updated_at: nowMs,
    }),
  );
  await refreshUserDerivedColumns(trx, deploymentId, userId, nowMs);
  return id;
}

export { lockUser };
