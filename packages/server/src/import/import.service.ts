import { WachtError } from "../errors.js";
import { findEmailOwners, insertIdentifierRecords, listEmails, listPhones, type NewEmail, type NewPhone } from "../identifiers/identifiers.service.js";
import { generateId } from "../ids.js";
import { hashPassword } from "../passwords/hasher.js";
import { revokeSessionsOfUser } from "../sessions/sessions.service.js";
import { insertSocialConnectionRecords, listSocialConnections, type NewSocialConnection } from "../social-connections/social-connections.service.js";
import type { Db } from "../storage/db.js";
import { uniqueViolationOf } from "../storage/dialect.js";
import { withSavepoint } from "../storage/savepoint.js";
import { findUserIdsByExternalId, insertUserRecords, patchUser, refreshUserDerivedColumns, type NewUser } from "../users/users.service.js";
import { MAX_IMPORT_BATCH } from "./import.schemas.js";
import { ItemFailure, itemErrorOf, prepareImportUser, type ItemError, type PreparedUser } from "./prepare.js";

export type ImportStatus = "created" | "updated" | "skipped" | "failed";

export interface ImportItemResult {
  index: number;
  status: ImportStatus;
  userId: string | null;
  error: ItemError | null;
}

export interface ImportSummary {
  results: ImportItemResult[];
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export interface ImportOptions {
  /** What to do with an item whose external_id (or, without one, primary email) already exists. */
  onConflict?: "skip" | "update";
  /** Check and write every item, then roll all of it back: the answer an import would give. */
  dryRun?: boolean;
  /**
   * Send webhook events for imported users. Accepted and off by default; webhook events do not
   * exist yet on this branch, so nothing is sent either way.
   */
  emitEvents?: boolean;
}

/** Thrown to roll a dry run's transaction back after every item was written. */
class DryRunRollback extends Error {}

/**
 * Imports up to MAX_IMPORT_BATCH users in one transaction (one commit, not a thousand). Every item
 * is checked on its own first. The new users are then written together in a few multi-row
 * statements; if that breaks a unique index, it is undone and each user is written in its own
 * savepoint instead, so a failing item rolls back exactly its own rows (never a partial user)
 * while the others are kept. Results come back in the order of the items.
 */
export async function importUsers(db: Db, deploymentId: string, items: unknown[], options: ImportOptions = {}): Promise<ImportSummary> {
  if (items.length > MAX_IMPORT_BATCH) throw new RangeError(`importUsers takes at most ${MAX_IMPORT_BATCH} items`);
  const onConflict = options.onConflict ?? "skip";
  const prepared = items.map((item): PreparedUser | ItemError => {
    try {
      return prepareImportUser(item);
    } catch (error) {
      if (error instanceof ItemFailure) return error.error;
      throw error;
    }
  });
  await hashPlainPasswords(prepared);

  const results: ImportItemResult[] = [];
  const write = async (trx: Db) => {
    const existing = await findExistingUsers(trx, deploymentId, prepared);
    const toCreate: Array<{ index: number; user: PreparedUser }> = [];
    for (const [index, user] of prepared.entries()) {
      if (!isPrepared(user)) {
        results[index] = { index, status: "failed", userId: null, error: user };
        continue;
      }
      const existingId = conflictKeyOf(user, existing);
      if (!existingId) toCreate.push({ index, user });
      else if (onConflict === "skip") results[index] = { index, status: "skipped", userId: existingId, error: null };
      else results[index] = { index, ...(await writeInSavepoint(trx, () => updateImportedUser(trx, deploymentId, existingId, user))) };
    }
    const createdIds =
      toCreate.length > 0
        ? await createImportedUsersTogether(
            trx,
            deploymentId,
            toCreate.map(({ user }) => user),
          )
        : [];
    for (const [position, { index, user }] of toCreate.entries()) {
      const userId = createdIds?.[position];
      // Together they broke a unique index: one by one, each in its savepoint, to tell which.
      results[index] = userId
        ? { index, status: "created", userId, error: null }
        : { index, ...(await writeInSavepoint(trx, () => createImportedUser(trx, deploymentId, user))) };
    }
    if (options.dryRun) throw new DryRunRollback();
  };
  try {
    await db.transaction().execute(write);
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return summarize(results);
}

const isPrepared = (value: PreparedUser | ItemError): value is PreparedUser => !("code" in value);

/** One savepoint per item: a failure undoes exactly that item's writes and becomes its result. */
async function writeInSavepoint(trx: Db, writeItem: () => Promise<{ status: ImportStatus; userId: string }>): Promise<Omit<ImportItemResult, "index">> {
  try {
    return { ...(await withSavepoint(trx, "import_item", writeItem)), error: null };
  } catch (error) {
    if (error instanceof ItemFailure) return { status: "failed", userId: null, error: error.error };
    if (error instanceof WachtError) return { status: "failed", userId: null, error: itemErrorOf(error) };
    throw error;
  }
}

/** Plain passwords (rare in imports) are hashed before the transaction opens, a few at a time. */
async function hashPlainPasswords(prepared: Array<PreparedUser | ItemError>): Promise<void> {
  const pending = prepared.filter((user): user is PreparedUser => isPrepared(user) && user.plainPassword !== undefined);
  const workers = Array.from({ length: 4 }, async () => {
    for (let user = pending.shift(); user; user = pending.shift()) user.passwordHash = await hashPassword(user.plainPassword!);
  });
  await Promise.all(workers);
}

interface ExistingUsers {
  byExternalId: Map<string, string>;
  byEmail: Map<string, string>;
}

/** The users a batch already has in the deployment, found in two queries for the whole batch. */
async function findExistingUsers(db: Db, deploymentId: string, prepared: Array<PreparedUser | ItemError>): Promise<ExistingUsers> {
  const users = prepared.filter(isPrepared);
  const externalIds = users.flatMap((user) => (user.externalId === null ? [] : [user.externalId]));
  const emails = users.flatMap((user) => {
    const primary = user.externalId === null ? user.emails.find((email) => email.isPrimary) : undefined;
    return primary ? [primary.normalized] : [];
  });
  const [byExternalId, byEmail] = await Promise.all([findUserIdsByExternalId(db, deploymentId, externalIds), findEmailOwners(db, deploymentId, emails)]);
  return { byExternalId, byEmail };
}

function conflictKeyOf(user: PreparedUser, existing: ExistingUsers): string | undefined {
  if (user.externalId !== null) return existing.byExternalId.get(user.externalId);
  const primary = user.emails.find((email) => email.isPrimary);
  return primary ? existing.byEmail.get(primary.normalized) : undefined;
}

/**
 * Ids for rows written in the same millisecond, sorted: a user's identifiers list by created_at
 * then id, so they come back in the order the item gave them (and an export re-imports alike).
 */
function orderedIds(prefix: "eml" | "phn" | "sca", count: number): string[] {
  return Array.from({ length: count }, () => generateId(prefix)).sort();
}

const verificationStrategyOf = (provider: string) => `oauth_${provider.replace(/_oauth$/, "")}`;

/** An address that arrived with a social connection was proven by that provider; others by the old system. */
function verificationStrategyFor(normalizedEmail: string, user: PreparedUser): string {
  const connection = user.socialConnections.find((c) => c.emailAddress?.toLowerCase() === normalizedEmail);
  return connection ? verificationStrategyOf(connection.provider) : "otp";
}

/** What one new user is written as, in each domain's terms. */
interface NewImportedUser {
  user: NewUser;
  emails: NewEmail[];
  phones: NewPhone[];
  connections: NewSocialConnection[];
}

function toNewImportedUser(user: PreparedUser): NewImportedUser {
  const nowMs = Date.now();
  // Identifiers are as old as the user: they came with it.
  const createdAt = user.createdAt ?? nowMs;
  const userId = generateId("usr");
  const emailIds = orderedIds("eml", user.emails.length);
  const phoneIds = orderedIds("phn", user.phones.length);
  const connectionIds = orderedIds("sca", user.socialConnections.length);
  const emails = user.emails.map((email, index) => ({
    id: emailIds[index]!,
    userId,
    email: email.email,
    normalized: email.normalized,
    isPrimary: email.isPrimary,
    verified: email.verified,
    verificationStrategy: verificationStrategyFor(email.normalized, user),
    nowMs,
    createdAt,
  }));
  const phones = user.phones.map((phone, index) => ({
    id: phoneIds[index]!,
    userId,
    phoneNumber: phone.phoneNumber,
    countryCode: phone.countryCode,
    isPrimary: phone.isPrimary,
    verified: phone.verified,
    nowMs,
    createdAt,
  }));
  const emailIdsByAddress = new Map(emails.map((email) => [email.normalized, email.id]));
  const connections = user.socialConnections.map((connection, index) => ({
    id: connectionIds[index]!,
    userId,
    // Linked to the user's address when it has it; the connection keeps its own email either way.
    userEmailAddressId: connection.emailAddress ? (emailIdsByAddress.get(connection.emailAddress.toLowerCase()) ?? null) : null,
    provider: connection.provider,
    providerUserId: connection.providerUserId,
    emailAddress: connection.emailAddress,
    nowMs,
    createdAt,
  }));
  return {
    user: {
      id: userId,
      firstName: user.firstName ?? "",
      lastName: user.lastName ?? "",
      username: user.username ?? null,
      passwordHash: user.passwordHash ?? null,
      publicMetadata: user.publicMetadata ?? {},
      privateMetadata: user.privateMetadata ?? {},
      primaryEmail: null,
      primaryPhone: null,
      // Every address is searchable; the primary ids and search text are known before anything is written.
      emails: emails.map((email) => ({ id: email.id, email: email.email, isPrimary: email.isPrimary })),
      phones: phones.map((phone) => ({ id: phone.id, phoneNumber: phone.phoneNumber, isPrimary: phone.isPrimary })),
      nowMs,
      createdAt,
      externalId: user.externalId,
      disabled: user.disabled ?? false,
    },
    emails,
    phones,
    connections,
  };
}

/** One user; a unique index's violation names the item's field (email_addresses[1].email). */
async function createImportedUser(trx: Db, deploymentId: string, user: PreparedUser): Promise<{ status: ImportStatus; userId: string }> {
  const created = toNewImportedUser(user);
  await insertUserRecords(trx, deploymentId, [created.user]);
  for (const [index, email] of created.emails.entries())
    await insertIdentifierRecords(trx, deploymentId, { emails: [email], phones: [] }, { email: `email_addresses[${index}].email` });
  for (const [index, phone] of created.phones.entries())
    await insertIdentifierRecords(trx, deploymentId, { emails: [], phones: [phone] }, { phone: `phone_numbers[${index}].phone_number` });
  for (const [index, connection] of created.connections.entries()) {
    await insertSocialConnectionRecords(trx, deploymentId, [connection], `social_connections[${index}].provider_user_id`);
  }
  return { status: "created", userId: created.user.id };
}

/**
 * Every new user of a batch in a handful of multi-row INSERTs: the common case of an import (new
 * users, no conflicts) costs a few statements per thousand users instead of several per user.
 * Returns null, with nothing written, when any row breaks a unique index: the caller then writes
 * the batch user by user to find which one.
 */
async function createImportedUsersTogether(trx: Db, deploymentId: string, users: PreparedUser[]): Promise<string[] | null> {
  const created = users.map(toNewImportedUser);
  try {
    await withSavepoint(trx, "import_together", async () => {
      for (const chunk of chunksOf(created, 100))
        await insertUserRecords(
          trx,
          deploymentId,
          chunk.map((item) => item.user),
        );
      for (const chunk of chunksOf(
        created.flatMap((item) => item.emails),
        200,
      ))
        await insertIdentifierRecords(trx, deploymentId, { emails: chunk, phones: [] });
      for (const chunk of chunksOf(
        created.flatMap((item) => item.phones),
        200,
      ))
        await insertIdentifierRecords(trx, deploymentId, { emails: [], phones: chunk });
      for (const chunk of chunksOf(
        created.flatMap((item) => item.connections),
        200,
      ))
        await insertSocialConnectionRecords(trx, deploymentId, chunk);
    });
    return created.map((item) => item.user.id);
  } catch (error) {
    // A 409 from any domain, or a violation no domain maps: either way, one by one tells which user.
    if ((error instanceof WachtError && error.statusCode === 409) || uniqueViolationOf(error) !== null) return null;
    throw error;
  }
}

// Well under SQLite's 32,766 bound parameters per statement (a users row has 24 columns).
function chunksOf<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * on_conflict "update": the fields the item carries replace the stored ones; identifiers and
 * connections the user lacks are added (never removed); a new verified identifier becomes primary
 * only when the user has no primary of its kind.
 */
async function updateImportedUser(trx: Db, deploymentId: string, userId: string, user: PreparedUser): Promise<{ status: ImportStatus; userId: string }> {
  const nowMs = Date.now();
  await patchUser(trx, deploymentId, userId, {
    firstName: user.firstName,
    lastName: user.lastName,
    username: user.username,
    passwordHash: user.passwordHash,
    publicMetadata: user.publicMetadata,
    privateMetadata: user.privateMetadata,
    disabled: user.disabled,
    createdAt: user.createdAt,
    ...(user.externalId !== null && { externalId: user.externalId }),
    updatedAt: nowMs,
  });
  const [emails, phones, connections] = await Promise.all([
    listEmails(trx, deploymentId, userId),
    listPhones(trx, deploymentId, userId),
    listSocialConnections(trx, deploymentId, userId),
  ]);
  let hasPrimaryEmail = emails.some((email) => email.isPrimary);
  for (const [index, email] of user.emails.entries()) {
    if (emails.some((stored) => stored.email.toLowerCase() === email.normalized)) continue;
    const isPrimary = email.verified && !hasPrimaryEmail;
    hasPrimaryEmail ||= isPrimary;
    const id = generateId("eml");
    const newEmail = {
      id,
      userId,
      email: email.email,
      normalized: email.normalized,
      isPrimary,
      verified: email.verified,
      verificationStrategy: verificationStrategyFor(email.normalized, user),
      nowMs,
    };
    await insertIdentifierRecords(trx, deploymentId, { emails: [newEmail], phones: [] }, { email: `email_addresses[${index}].email` });
    emails.push({ ...newEmail, deploymentId, verifiedAt: email.verified ? nowMs : null, createdAt: nowMs, updatedAt: nowMs });
  }
  let hasPrimaryPhone = phones.some((phone) => phone.isPrimary);
  for (const [index, phone] of user.phones.entries()) {
    if (phones.some((stored) => stored.phoneNumber === phone.phoneNumber)) continue;
    const isPrimary = phone.verified && !hasPrimaryPhone;
    hasPrimaryPhone ||= isPrimary;
    const newPhone = {
      id: generateId("phn"),
      userId,
      phoneNumber: phone.phoneNumber,
      countryCode: phone.countryCode,
      isPrimary,
      verified: phone.verified,
      nowMs,
    };
    await insertIdentifierRecords(trx, deploymentId, { emails: [], phones: [newPhone] }, { phone: `phone_numbers[${index}].phone_number` });
  }
  const emailIds = new Map(emails.map((email) => [email.email.toLowerCase(), email.id]));
  for (const [index, connection] of user.socialConnections.entries()) {
    if (connections.some((stored) => stored.provider === connection.provider && stored.providerUserId === connection.providerUserId)) continue;
    const newConnection = {
      id: generateId("sca"),
      userId,
      userEmailAddressId: connection.emailAddress ? (emailIds.get(connection.emailAddress.toLowerCase()) ?? null) : null,
      provider: connection.provider,
      providerUserId: connection.providerUserId,
      emailAddress: connection.emailAddress,
      nowMs,
    };
    await insertSocialConnectionRecords(trx, deploymentId, [newConnection], `social_connections[${index}].provider_user_id`);
  }
  // A disabled user is signed out everywhere, as an update through the API would do.
  if (user.disabled === true) await revokeSessionsOfUser(trx, deploymentId, userId, nowMs);
  await refreshUserDerivedColumns(trx, deploymentId, userId, nowMs);
  return { status: "updated", userId };
}

function summarize(results: ImportItemResult[]): ImportSummary {
  const count = (status: ImportStatus) => results.filter((result) => result.status === status).length;
  return { results, created: count("created"), updated: count("updated"), skipped: count("skipped"), failed: count("failed") };
}
