import { changedFields, recordChange, type ChangeContext } from "../changes/changes.service.js";
import { withUniqueConflicts } from "../conflicts.js";
import { errors } from "../errors.js";
import { generateId } from "../ids.js";
import type { Db } from "../storage/db.js";
import { lockUser, refreshUserDerivedColumns, requireUser } from "../users/users.service.js";
import {
  clearPrimary,
  countIdentifiersOfUsers,
  deleteIdentifierRow,
  findEmailByNormalized,
  findEmailOwners,
  insertEmail,
  insertEmails,
  insertPhone,
  insertPhones,
  listEmails,
  listEmailsOfUsers,
  listPhones,
  listPhonesOfUsers,
  setPrimary,
  toUserEmail,
  toUserPhone,
  updateEmailRecord,
  updatePhoneRecord,
  type IdentifierFlagsPatch,
  type IdentifierTable,
  type NewEmail,
  type NewIdentifier,
  type NewPhone,
  type UserEmail,
  type UserPhone,
} from "./identifiers.storage.js";
import { toEmailJson, toPhoneJson } from "./identifiers.schemas.js";
import { MAX_EMAILS_PER_USER, MAX_PHONES_PER_USER } from "./limits.js";
import { foldEmail, normalizeEmail, normalizePhone, type NormalizedEmail, type NormalizedPhone } from "./normalize.js";

export type { UserEmail, UserPhone };
/** toUserEmail/toUserPhone turn stored rows read elsewhere (the one-statement details read) into identifiers. */
export { listEmails, listPhones, toUserEmail, toUserPhone };

/**
 * The rules for emails and phones are the same, written once:
 * - a primary identifier is verified, on every path;
 * - a user has at most one primary of each kind, and the first verified one becomes primary;
 * - the primary cannot be removed (or un-primaried) while the user has another of that kind;
 * - users.primary_*_id and the is_primary flags always agree (refreshUserDerivedColumns);
 * - a changed value is unproven, so it is unverified unless the same request says `verified: true`;
 *   the primary's value changes only with `verified: true` (else a 400: the primary never goes
 *   unverified, nor moves to another identifier, as a side effect);
 * - a user has at most MAX_EMAILS_PER_USER / MAX_PHONES_PER_USER (limits.ts), counted with the
 *   user's row locked, so concurrent adds cannot pass the cap.
 * A kind says only what differs: its noun, table, codes, how its value is read and stored.
 */
interface Identifier {
  id: string;
  deploymentId: string;
  userId: string;
  isPrimary: boolean;
  verified: boolean;
}

interface IdentifierKind<T extends Identifier, AddInput, UpdateInput, Value> {
  noun: "email address" | "phone number";
  pluralNoun: "email addresses" | "phone numbers";
  /** The wire field of its value, in add and update bodies. */
  valueField: "email" | "phone_number";
  maxPerUser: number;
  table: IdentifierTable;
  idPrefix: "eml" | "phn";
  notFound: (userId: string, id: string) => Error;
  primaryRequired: () => Error;
  /** Index columns → the wire field a 409 names, where it differs from the column's usual field. */
  conflictFields: Record<string, string>;
  list(db: Db, deploymentId: string, userId: string): Promise<T[]>;
  /** The value of a new identifier, or a 400. */
  normalizeNew(input: AddInput): Value;
  /** Checks an update's value before any lock is taken; the result gives the value to write (if any) once the stored row is known. */
  prepareUpdate(input: UpdateInput): (current: T) => Value | undefined;
  /** Whether the value names what the stored one names (another spelling of the same address is no change). */
  holds(current: T, value: Value): boolean;
  /** Returns the identifier as a read would. */
  insert(db: Db, deploymentId: string, identifier: NewIdentifier, value: Value): Promise<T>;
  /** `isNewValue`: the value names another address or number than the stored one. */
  update(db: Db, deploymentId: string, id: string, flags: IdentifierFlagsPatch, value: Value | undefined, isNewValue: boolean): Promise<void>;
  /** Its name in audit actions and event types: email.create, phone.updated… */
  resource: "email" | "phone";
  toJson(item: T): unknown;
  /** The wire names of the fields an add or update sets, for the audit entry's `changes`. */
  wireFields(input: AddInput | UpdateInput): Record<string, unknown>;
}

export interface IdentifierFlags {
  verified?: boolean;
  isPrimary?: boolean;
}

export type AddEmailInput = { email: string } & IdentifierFlags;
export type UpdateEmailInput = { email?: string } & IdentifierFlags;
export type AddPhoneInput = { phoneNumber: string; countryCode?: string } & IdentifierFlags;
export type UpdatePhoneInput = { phoneNumber?: string; countryCode?: string } & IdentifierFlags;

const emailKind: IdentifierKind<UserEmail, AddEmailInput, UpdateEmailInput, NormalizedEmail> = {
  noun: "email address",
  pluralNoun: "email addresses",
  valueField: "email",
  maxPerUser: MAX_EMAILS_PER_USER,
  table: "user_emails",
  idPrefix: "eml",
  notFound: errors.email_not_found,
  primaryRequired: errors.primary_email_required,
  conflictFields: { email_address: "email" },
  list: listEmails,
  normalizeNew: (input) => normalizeEmail(input.email),
  prepareUpdate: (input) => {
    const address = input.email === undefined ? undefined : normalizeEmail(input.email);
    return () => address;
  },
  holds: (current, address) => foldEmail(current.email) === address.normalized,
  insert: (db, deploymentId, identifier, address) => insertEmail(db, deploymentId, { ...identifier, ...address, verificationStrategy: "otp" }),
  // A provider vouched for the old address only: the new one is ours (an admin's word) to verify.
  update: (db, deploymentId, id, flags, address, isNewValue) =>
    updateEmailRecord(db, deploymentId, id, { ...flags, address, ...(isNewValue && { verificationStrategy: "otp" }) }),
  resource: "email",
  toJson: toEmailJson,
  wireFields: (input) => ({ email: input.email, verified: input.verified, is_primary: input.isPrimary }),
};

const phoneKind: IdentifierKind<UserPhone, AddPhoneInput, UpdatePhoneInput, NormalizedPhone> = {
  noun: "phone number",
  pluralNoun: "phone numbers",
  valueField: "phone_number",
  maxPerUser: MAX_PHONES_PER_USER,
  table: "user_phones",
  idPrefix: "phn",
  notFound: errors.phone_number_not_found,
  primaryRequired: errors.primary_phone_number_required,
  conflictFields: {},
  list: listPhones,
  normalizeNew: (input) => normalizePhone(input.phoneNumber, input.countryCode),
  // A new country code alone re-reads the stored number in that country.
  prepareUpdate: (input) => (current) =>
    input.phoneNumber !== undefined || input.countryCode !== undefined
      ? normalizePhone(input.phoneNumber ?? current.phoneNumber, input.countryCode ?? (input.phoneNumber ? undefined : current.countryCode))
      : undefined,
  holds: (current, phone) => current.phoneNumber === phone.phoneNumber,
  insert: (db, deploymentId, identifier, phone) => insertPhone(db, deploymentId, { ...identifier, ...phone }),
  update: (db, deploymentId, id, flags, phone) => updatePhoneRecord(db, deploymentId, id, { ...flags, phone }),
  resource: "phone",
  toJson: toPhoneJson,
  wireFields: (input) => ({ phone_number: input.phoneNumber, country_code: input.countryCode, verified: input.verified, is_primary: input.isPrimary }),
};

type AnyKind = IdentifierKind<any, any, any, any>;

async function findOwned<T extends Identifier>(
  trx: Db,
  kind: IdentifierKind<T, unknown, unknown, unknown>,
  deploymentId: string,
  userId: string,
  id: string,
): Promise<{ target: T; all: T[] }> {
  const all = await kind.list(trx, deploymentId, userId);
  const target = all.find((item) => item.id === id);
  // Another user's identifier answers exactly like a missing one: ids must not probe other accounts.
  if (!target) throw kind.notFound(userId, id);
  return { target, all };
}

async function finish<T extends Identifier>(
  trx: Db,
  kind: IdentifierKind<T, unknown, unknown, unknown>,
  deploymentId: string,
  userId: string,
  id: string,
  nowMs: number,
): Promise<T> {
  await refreshUserDerivedColumns(trx, deploymentId, userId, nowMs);
  return (await kind.list(trx, deploymentId, userId)).find((item) => item.id === id)!;
}

async function getIdentifiers<T extends Identifier>(
  db: Db,
  kind: IdentifierKind<T, unknown, unknown, unknown>,
  deploymentId: string,
  userId: string,
): Promise<T[]> {
  await requireUser(db, deploymentId, userId);
  return kind.list(db, deploymentId, userId);
}

async function addIdentifier<T extends Identifier, AddInput extends IdentifierFlags, Value>(
  db: Db,
  kind: IdentifierKind<T, AddInput, unknown, Value>,
  deploymentId: string,
  context: ChangeContext,
  userId: string,
  input: AddInput,
): Promise<T> {
  const value = kind.normalizeNew(input);
  const verified = input.verified ?? false;
  if (input.isPrimary && !verified) throw errors.primary_must_be_verified(kind.noun);
  return db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    await ensureRoom(trx, kind, deploymentId, new Map([[userId, 1]]), kind.valueField);
    const now = Date.now();
    const isPrimary = await takePrimaryIfDue(trx, kind, deploymentId, userId, input.isPrimary, verified, now);
    const id = generateId(kind.idPrefix);
    await withUniqueConflicts(() => kind.insert(trx, deploymentId, { id, userId, isPrimary, verified, nowMs: now }, value), kind.conflictFields);
    const added = await finish(trx, kind, deploymentId, userId, id, now);
    await recordIdentifierChange(trx, kind, deploymentId, context, "create", added, changedFields(kind.wireFields(input)));
    return added;
  });
}

async function updateIdentifier<T extends Identifier, UpdateInput extends IdentifierFlags, Value>(
  db: Db,
  kind: IdentifierKind<T, unknown, UpdateInput, Value>,
  deploymentId: string,
  context: ChangeContext,
  userId: string,
  id: string,
  input: UpdateInput,
): Promise<T> {
  const valueFor = kind.prepareUpdate(input);
  const { updated } = await db.transaction().execute((trx) => applyUpdate(trx, kind, deploymentId, context, userId, id, input, valueFor));
  return updated;
}

/** The update inside `trx`; `isNewValue` says whether the address or number now names another one. */
async function applyUpdate<T extends Identifier, UpdateInput extends IdentifierFlags, Value>(
  trx: Db,
  kind: IdentifierKind<T, unknown, UpdateInput, Value>,
  deploymentId: string,
  context: ChangeContext,
  userId: string,
  id: string,
  input: UpdateInput,
  valueFor: (current: T) => Value | undefined,
): Promise<{ updated: T; isNewValue: boolean }> {
  await lockUser(trx, deploymentId, userId);
  const now = Date.now();
  const { target, all } = await findOwned(trx, kind, deploymentId, userId, id);
  const value = valueFor(target);
  const isNewValue = value !== undefined && !kind.holds(target, value);
  if (isNewValue && input.verified === undefined && target.isPrimary) throw errors.primary_value_needs_verified(kind.noun, kind.valueField);
  // Whoever proved the old value has not proven the new one: it is verified only on this request's word.
  const effective = isNewValue ? { ...input, verified: input.verified ?? false } : input;
  const flags = await applyFlagChange(trx, kind, userId, target, all, effective, now);
  // verified_at restarts with the new value (now, or null).
  if (isNewValue) flags.verified = effective.verified;
  await withUniqueConflicts(() => kind.update(trx, deploymentId, id, flags, value, isNewValue), kind.conflictFields);
  const updated = await finish(trx, kind, deploymentId, userId, id, now);
  await recordIdentifierChange(trx, kind, deploymentId, context, "update", updated, changedFields(kind.wireFields(effective)));
  return { updated, isNewValue };
}

async function removeIdentifier(trx: Db, kind: AnyKind, deploymentId: string, context: ChangeContext, userId: string, id: string): Promise<void> {
  await lockUser(trx, deploymentId, userId);
  const { target, all } = await findOwned(trx, kind, deploymentId, userId, id);
  if (target.isPrimary && all.length > 1) throw kind.primaryRequired();
  await deleteIdentifierRow(trx, kind.table, deploymentId, id);
  await refreshUserDerivedColumns(trx, deploymentId, userId, Date.now());
  await recordIdentifierChange(trx, kind, deploymentId, context, "delete", target);
}

async function makePrimary(db: Db, kind: AnyKind, deploymentId: string, context: ChangeContext, userId: string, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const now = Date.now();
    const { target } = await findOwned(trx, kind, deploymentId, userId, id);
    // 400 like every other path to an unverified primary (wire protocol, "Also on the wire").
    if (!target.verified) throw errors.primary_must_be_verified(kind.noun);
    if (target.isPrimary) {
      // Nothing changes, so no event; the request is still an admin action worth its audit entry.
      await recordChange(trx, deploymentId, context, { action: `${kind.resource}.make_primary`, target: { type: kind.resource, id }, userId });
      return;
    }
    await clearPrimary(trx, kind.table, deploymentId, userId, now);
    await withUniqueConflicts(() => setPrimary(trx, kind.table, deploymentId, id, now));
    await refreshUserDerivedColumns(trx, deploymentId, userId, now);
    const promoted = (await kind.list(trx, deploymentId, userId)).find((item: Identifier) => item.id === id)!;
    await recordIdentifierChange(trx, kind, deploymentId, context, "make_primary", promoted, ["is_primary"]);
  });
}

/** How many rows each user gets, for ensureRoom. */
function countPerUser(items: Array<{ userId: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.userId, (counts.get(item.userId) ?? 0) + 1);
  return counts;
}

/**
 * A 400 naming `field` when adding these many rows would take a user past the kind's cap. The
 * caller holds each user's row locked (lockUser) or has just created it, so the count stays true
 * until its transaction ends.
 */
async function ensureRoom(trx: Db, kind: AnyKind, deploymentId: string, adding: Map<string, number>, field: string): Promise<void> {
  const stored = await countIdentifiersOfUsers(trx, kind.table, deploymentId, [...adding.keys()]);
  for (const [userId, count] of adding) {
    if ((stored.get(userId) ?? 0) + count > kind.maxPerUser) throw errors.per_user_limit_reached(field, kind.pluralNoun, kind.maxPerUser);
  }
}

/** Whether a new identifier becomes primary: when asked, or when it is verified and the user has no primary yet. */
async function takePrimaryIfDue(
  trx: Db,
  kind: AnyKind,
  deploymentId: string,
  userId: string,
  requested: boolean | undefined,
  verified: boolean,
  nowMs: number,
): Promise<boolean> {
  if (requested === false || !verified) return false;
  const hasPrimary = (await kind.list(trx, deploymentId, userId)).some((item: Identifier) => item.isPrimary);
  if (requested && hasPrimary) await clearPrimary(trx, kind.table, deploymentId, userId, nowMs);
  return requested === true || !hasPrimary;
}

/** Applies `verified` / `is_primary` from an update under the rules above; returns the flags to write. */
async function applyFlagChange<T extends Identifier>(
  trx: Db,
  kind: IdentifierKind<T, unknown, unknown, unknown>,
  userId: string,
  target: T,
  all: T[],
  input: IdentifierFlags,
  nowMs: number,
): Promise<IdentifierFlagsPatch> {
  const verified = input.verified ?? target.verified;
  const isPrimary = input.isPrimary ?? target.isPrimary;
  if (isPrimary && !verified) {
    throw input.isPrimary ? errors.primary_must_be_verified(kind.noun) : errors.primary_must_stay_verified(kind.noun);
  }
  if (target.isPrimary && !isPrimary) {
    if (all.length > 1) throw kind.primaryRequired();
    throw errors.primary_required(kind.noun);
  }
  const flags: IdentifierFlagsPatch = { updatedAt: nowMs };
  if (verified !== target.verified) flags.verified = verified;
  if (isPrimary && !target.isPrimary) {
    await clearPrimary(trx, kind.table, target.deploymentId, userId, nowMs);
    flags.isPrimary = true;
  } else if (verified && !target.verified && !all.some((item) => item.isPrimary)) {
    // Newly verified and nothing is primary yet: it becomes the primary, as on add.
    flags.isPrimary = true;
  }
  return flags;
}

// ---- the API of both kinds

export const getEmails = (db: Db, deploymentId: string, userId: string) => getIdentifiers(db, emailKind, deploymentId, userId);
export const getPhones = (db: Db, deploymentId: string, userId: string) => getIdentifiers(db, phoneKind, deploymentId, userId);
export const addEmail = (db: Db, deploymentId: string, context: ChangeContext, userId: string, input: AddEmailInput) =>
  addIdentifier(db, emailKind, deploymentId, context, userId, input);
export const addPhone = (db: Db, deploymentId: string, context: ChangeContext, userId: string, input: AddPhoneInput) =>
  addIdentifier(db, phoneKind, deploymentId, context, userId, input);
export const updateEmail = (db: Db, deploymentId: string, context: ChangeContext, userId: string, emailId: string, input: UpdateEmailInput) =>
  updateIdentifier(db, emailKind, deploymentId, context, userId, emailId, input);
export const updatePhone = (db: Db, deploymentId: string, context: ChangeContext, userId: string, phoneId: string, input: UpdatePhoneInput) =>
  updateIdentifier(db, phoneKind, deploymentId, context, userId, phoneId, input);
/**
 * Inside the caller's transaction: updates the email; `isNewValue` tells the caller that it now
 * holds another address, so what vouched for the old one (a social connection: user-accounts
 * updateEmail) no longer points at it.
 */
export const updateEmailInTransaction = (trx: Db, deploymentId: string, context: ChangeContext, userId: string, emailId: string, input: UpdateEmailInput) =>
  applyUpdate(trx, emailKind, deploymentId, context, userId, emailId, input, emailKind.prepareUpdate(input));
export const makeEmailPrimary = (db: Db, deploymentId: string, context: ChangeContext, userId: string, emailId: string) =>
  makePrimary(db, emailKind, deploymentId, context, userId, emailId);
export const makePhonePrimary = (db: Db, deploymentId: string, context: ChangeContext, userId: string, phoneId: string) =>
  makePrimary(db, phoneKind, deploymentId, context, userId, phoneId);

/**
 * Inside the caller's transaction: removes the email. The caller also unlinks what points at it
 * (social connections: user-accounts.service.ts removeEmail), which identifiers may not reach.
 */
export const removeEmailInTransaction = (trx: Db, deploymentId: string, context: ChangeContext, userId: string, emailId: string) =>
  removeIdentifier(trx, emailKind, deploymentId, context, userId, emailId);

export async function removePhone(db: Db, deploymentId: string, context: ChangeContext, userId: string, phoneId: string): Promise<void> {
  await db.transaction().execute((trx) => removeIdentifier(trx, phoneKind, deploymentId, context, userId, phoneId));
}

/** The audit entry and event of an identifier change, in its transaction: email.create → email.created, … */
async function recordIdentifierChange(
  trx: Db,
  kind: AnyKind,
  deploymentId: string,
  context: ChangeContext,
  verb: "create" | "update" | "delete" | "make_primary",
  item: Identifier,
  changes: string[] = [],
): Promise<void> {
  const eventVerb = verb === "create" ? "created" : verb === "delete" ? "deleted" : "updated";
  await recordChange(trx, deploymentId, context, {
    action: `${kind.resource}.${verb}`,
    target: { type: kind.resource, id: item.id },
    userId: item.userId,
    changes,
    events: [{ type: `${kind.resource}.${eventVerb}`, data: verb === "delete" ? { id: item.id, deleted: true } : kind.toJson(item) }],
  });
}

/**
 * Inside the caller's transaction (imports): identifiers of new or existing users, several per
 * statement. The caller has applied the rules already (one verified primary per kind); a taken
 * address or number is a 409 naming `emailField`/`phoneField`, a user past the cap a 400 naming
 * `email_addresses`/`phone_numbers`. Imports do not lock an existing user's row, so an admin add
 * racing an import of the same user can pass the cap by the racing adds (never without bound).
 */
export async function insertIdentifierRecords(
  trx: Db,
  deploymentId: string,
  identifiers: { emails: NewEmail[]; phones: NewPhone[] },
  fields: { email?: string; phone?: string } = {},
): Promise<void> {
  if (identifiers.emails.length > 0) await ensureRoom(trx, emailKind, deploymentId, countPerUser(identifiers.emails), "email_addresses");
  if (identifiers.phones.length > 0) await ensureRoom(trx, phoneKind, deploymentId, countPerUser(identifiers.phones), "phone_numbers");
  if (identifiers.emails.length > 0)
    await withUniqueConflicts(() => insertEmails(trx, deploymentId, identifiers.emails), fields.email ? { email_address: fields.email } : {});
  if (identifiers.phones.length > 0)
    await withUniqueConflicts(() => insertPhones(trx, deploymentId, identifiers.phones), fields.phone ? { phone_number: fields.phone } : {});
}

/**
 * Inside the caller's transaction (an import's update): a stored address or number the other
 * provider had verified becomes verified, and primary when `isPrimary` (the caller has checked
 * the user has no primary of its kind). Its value never changes here: imports match by value.
 */
export async function markImportedIdentifierVerified(
  trx: Db,
  deploymentId: string,
  identifier: { kind: "email"; id: string; verificationStrategy: string } | { kind: "phone"; id: string },
  flags: { isPrimary: boolean; nowMs: number },
): Promise<void> {
  const patch = { verified: true, ...(flags.isPrimary && { isPrimary: true }), updatedAt: flags.nowMs };
  if (identifier.kind === "email")
    await updateEmailRecord(trx, deploymentId, identifier.id, { ...patch, verificationStrategy: identifier.verificationStrategy });
  else await updatePhoneRecord(trx, deploymentId, identifier.id, patch);
}

export { findEmailOwners, listEmailsOfUsers, listPhonesOfUsers };
export type { NewEmail, NewPhone };

/**
 * Inside the caller's transaction, when a user is created: the first email and phone, verified and
 * primary, with the ids the users row was written with; returned as a read would return them.
 */
export async function insertInitialIdentifiers(
  trx: Db,
  deploymentId: string,
  userId: string,
  identifiers: { email?: { id: string } & NormalizedEmail; phone?: { id: string } & NormalizedPhone },
  nowMs: number,
): Promise<{ emails: UserEmail[]; phones: UserPhone[] }> {
  const base = { userId, isPrimary: true, verified: true, nowMs };
  const { email, phone } = identifiers;
  const emails = email ? [await withUniqueConflicts(() => emailKind.insert(trx, deploymentId, { ...base, id: email.id }, email))] : [];
  const phones = phone ? [await withUniqueConflicts(() => phoneKind.insert(trx, deploymentId, { ...base, id: phone.id }, phone))] : [];
  return { emails, phones };
}

/**
 * Inside the caller's transaction: the id of the user's email with this address, adding it as
 * verified (by `verificationStrategy`, e.g. "oauth_google") when the user does not have it yet
 * (within the cap: the caller holds the user's row locked, or has just created the user).
 */
export async function attachVerifiedEmail(
  trx: Db,
  deploymentId: string,
  userId: string,
  rawEmail: string,
  verificationStrategy: string,
  nowMs: number,
): Promise<string> {
  const address = normalizeEmail(rawEmail, "email_address");
  const existing = (await listEmails(trx, deploymentId, userId)).find((item) => foldEmail(item.email) === address.normalized);
  if (existing?.verified) return existing.id;
  const becomesPrimary = await takePrimaryIfDue(trx, emailKind, deploymentId, userId, undefined, true, nowMs);
  if (existing) {
    // The provider has proven the address: an unverified copy of it becomes verified.
    await updateEmailRecord(trx, deploymentId, existing.id, {
      verified: true,
      verificationStrategy,
      ...(becomesPrimary && { isPrimary: true }),
      updatedAt: nowMs,
    });
    await refreshUserDerivedColumns(trx, deploymentId, userId, nowMs);
    return existing.id;
  }
  await ensureRoom(trx, emailKind, deploymentId, new Map([[userId, 1]]), "email_address");
  const id = generateId("eml");
  await withUniqueConflicts(() =>
    insertEmail(trx, deploymentId, { id, userId, ...address, isPrimary: becomesPrimary, verified: true, verificationStrategy, nowMs }),
  );
  await refreshUserDerivedColumns(trx, deploymentId, userId, nowMs);
  return id;
}

/**
 * The email row holding this address in the deployment, verified or not, or null (also for text
 * that is no email address). Social sign-in links by it only when both sides have verified it.
 */
export async function findEmailHolder(db: Db, deploymentId: string, rawEmail: string): Promise<UserEmail | null> {
  let normalized: string;
  try {
    normalized = normalizeEmail(rawEmail).normalized;
  } catch {
    return null;
  }
  return findEmailByNormalized(db, deploymentId, normalized);
}
