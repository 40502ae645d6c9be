import { recordChange, type ChangeContext, type OutboxEvent } from "../changes/changes.service.js";
import type { SecretBox } from "../crypto/secret-box.js";
import { WachtError } from "../errors.js";
import {
  findEmailOwners,
  insertIdentifierRecords,
  listEmails,
  listPhones,
  markImportedIdentifierVerified,
  type NewEmail,
  type NewPhone,
} from "../identifiers/identifiers.service.js";
import { generateId } from "../ids.js";
import { hashPassword } from "../passwords/hasher.js";
import { hashImportedBackupCode, insertImportedSecondFactors, type ImportedSecondFactors } from "../second-factors/second-factors.service.js";
import { revokeSessionsOfUser } from "../sessions/sessions.service.js";
import { insertSocialConnectionRecords, listSocialConnections, type NewSocialConnection } from "../social-connections/social-connections.service.js";
import type { Db } from "../storage/db.js";
import { uniqueViolationOf } from "../storage/dialect.js";
import { withSavepoint } from "../storage/savepoint.js";
import {
  findUserIdsByExternalId,
  insertUserRecords,
  insertUsersInBulk,
  lockUser,
  patchUser,
  refreshUserDerivedColumns,
  type NewUser,
} from "../users/users.service.js";
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
   * Send each created user's `user.created` (and each updated user's `user.updated`, after the
   * events of the identifiers and connections the update added or verified), in the batch's
   * transaction. Off by default: a migration must not wake every subscriber once per user unasked.
   */
  emitEvents?: boolean;
}

/** What an import needs besides the database: the key that seals TOTP secrets, and who is importing. */
export interface ImportEnvironment {
  secretBox: SecretBox;
  context: ChangeContext;
}

/** What one item's write did, for its result and its webhook events. */
interface WrittenItem {
  status: "created" | "updated";
  userId: string;
  /** Updates only: ids of the identifiers and connections added, and of the stored ones that became verified. */
  added?: { emails: string[]; phones: string[]; connections: string[] };
  verified?: { emails: string[]; phones: string[] };
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
export async function importUsers(
  db: Db,
  environment: ImportEnvironment,
  deploymentId: string,
  items: unknown[],
  options: ImportOptions = {},
): Promise<ImportSummary> {
  if (items.length > MAX_IMPORT_BATCH) throw new RangeError(`importUsers takes at most ${MAX_IMPORT_BATCH} items`);
  const onConflict = options.onConflict ?? "skip";
  const { secretBox } = environment;
  const prepared = items.map((item): PreparedUser | ItemError => {
    try {
      return prepareImportUser(item);
    } catch (error) {
      if (error instanceof ItemFailure) return error.error;
      throw error;
    }
  });
  await hashPlainSecrets(prepared);

  const results: ImportItemResult[] = [];
  const write = async (trx: Db) => {
    const existing = await findExistingUsers(trx, deploymentId, prepared);
    const written = new Map<number, WrittenItem>();
    const inSavepoint = async (index: number, writeItem: () => Promise<WrittenItem>) => {
      const outcome = await writeInSavepoint(trx, writeItem);
      if (outcome.written) written.set(index, outcome.written);
      results[index] = { index, ...outcome.result };
    };
    const toCreate: Array<{ index: number; user: PreparedUser }> = [];
    for (const [index, user] of prepared.entries()) {
      if (!isPrepared(user)) {
        results[index] = { index, status: "failed", userId: null, error: user };
        continue;
      }
      const existingId = conflictKeyOf(user, existing);
      if (!existingId) toCreate.push({ index, user });
      else if (onConflict === "skip") results[index] = { index, status: "skipped", userId: existingId, error: null };
      else await inSavepoint(index, () => updateImportedUser(trx, secretBox, deploymentId, existingId, user));
    }
    const createdIds =
      toCreate.length > 0
        ? await createImportedUsersTogether(
            trx,
            secretBox,
            deploymentId,
            toCreate.map(({ user }) => user),
          )
        : [];
    for (const [position, { index, user }] of toCreate.entries()) {
      const userId = createdIds?.[position];
      if (userId) {
        results[index] = { index, status: "created", userId, error: null };
        written.set(index, { status: "created", userId });
      }
      // Together they broke a unique index: one by one, each in its savepoint, to tell which.
      else await inSavepoint(index, () => createImportedUser(trx, secretBox, deploymentId, user));
    }
    if (options.dryRun) throw new DryRunRollback();
    await recordImport(trx, environment.context, deploymentId, items, written, options.emitEvents === true);
  };
  try {
    await db.transaction().execute(write);
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return summarize(results);
}

/**
 * The batch's one audit entry (`user.import`: the deployment as target, the names of the fields
 * the written items carried, never their values; each item's outcome is the call's answer) and,
 * when asked, each written user's events, in item order, with the batch's transaction.
 */
async function recordImport(
  trx: Db,
  context: ChangeContext,
  deploymentId: string,
  items: unknown[],
  written: Map<number, WrittenItem>,
  emitEvents: boolean,
): Promise<void> {
  if (written.size === 0) return;
  const indexes = [...written.keys()].sort((a, b) => a - b);
  const fields = new Set(indexes.flatMap((index) => Object.keys(items[index] as object)));
  const events: OutboxEvent[] = [];
  if (emitEvents) for (const index of indexes) events.push(...(await eventsOf(trx, context, deploymentId, written.get(index)!)));
  await recordChange(trx, deploymentId, context, {
    action: "user.import",
    target: { type: "deployment", id: deploymentId },
    userId: null,
    changes: [...fields].sort(),
    events,
  });
}

interface DetailsDocument {
  email_addresses: Array<{ id: string }>;
  phone_numbers: Array<{ id: string }>;
  social_connections: Array<{ id: string }>;
}

/**
 * A created user sends what POST /users sends: `user.created` with the details document (which
 * holds its identifiers and connections). An updated one sends the event of each identifier or
 * connection the update added or verified, as the endpoints that add them do, then `user.updated`.
 */
async function eventsOf(trx: Db, context: ChangeContext, deploymentId: string, item: WrittenItem): Promise<OutboxEvent[]> {
  const document = (await context.describeUser(trx, deploymentId, item.userId)) as DetailsDocument;
  if (item.status === "created") return [{ type: "user.created", data: document }];
  const pick = (type: string, rows: Array<{ id: string }>, ids: string[] = []) => rows.filter((row) => ids.includes(row.id)).map((data) => ({ type, data }));
  return [
    ...pick("email.created", document.email_addresses, item.added?.emails),
    ...pick("email.updated", document.email_addresses, item.verified?.emails),
    ...pick("phone.created", document.phone_numbers, item.added?.phones),
    ...pick("phone.updated", document.phone_numbers, item.verified?.phones),
    ...pick("social_connection.created", document.social_connections, item.added?.connections),
    { type: "user.updated", data: document },
  ];
}

const isPrepared = (value: PreparedUser | ItemError): value is PreparedUser => !("code" in value);

/** One savepoint per item: a failure undoes exactly that item's writes and becomes its result. */
async function writeInSavepoint(trx: Db, writeItem: () => Promise<WrittenItem>): Promise<{ result: Omit<ImportItemResult, "index">; written?: WrittenItem }> {
  try {
    const written = await withSavepoint(trx, "import_item", writeItem);
    return { result: { status: written.status, userId: written.userId, error: null }, written };
  } catch (error) {
    if (error instanceof ItemFailure) return { result: { status: "failed", userId: null, error: error.error } };
    if (error instanceof WachtError) return { result: { status: "failed", userId: null, error: itemErrorOf(error) } };
    throw error;
  }
}

/** Plain passwords and backup codes (rare in imports) are hashed before the transaction opens, a few at a time. */
async function hashPlainSecrets(prepared: Array<PreparedUser | ItemError>): Promise<void> {
  const pending: Array<() => Promise<void>> = [];
  for (const user of prepared) {
    if (!isPrepared(user)) continue;
    if (user.plainPassword !== undefined) pending.push(async () => void (user.passwordHash = await hashPassword(user.plainPassword!)));
    const codes = user.backupCodes;
    for (const code of codes?.plain ?? []) pending.push(async () => void codes!.hashes.push(await hashImportedBackupCode(code)));
  }
  const workers = Array.from({ length: 4 }, async () => {
    for (let task = pending.shift(); task; task = pending.shift()) await task();
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
  secondFactors: ImportedSecondFactors | null;
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
    secondFactors: secondFactorsOf(userId, user, createdAt),
  };
}

/** The authenticator and backup codes an item brings, or null; named as createAuthenticator would name it. */
function secondFactorsOf(userId: string, user: PreparedUser, createdAt: number): ImportedSecondFactors | null {
  const backupCodeHashes = user.backupCodes?.hashes ?? [];
  if (user.totpSecret == null && backupCodeHashes.length === 0) return null;
  const fullName = `${user.firstName ?? ""} ${user.lastName ?? ""}`.trim();
  const primaryEmail = user.emails.find((email) => email.isPrimary)?.email;
  const accountName = primaryEmail ?? user.username?.username ?? (fullName || `user-${userId}`);
  return { userId, totpSecret: user.totpSecret ?? null, accountName, backupCodeHashes, createdAt };
}

/** One user; a unique index's violation names the item's field (email_addresses[1].email). */
async function createImportedUser(trx: Db, secretBox: SecretBox, deploymentId: string, user: PreparedUser): Promise<WrittenItem> {
  const created = toNewImportedUser(user);
  await insertUserRecords(trx, deploymentId, [created.user]);
  for (const [index, email] of created.emails.entries())
    await insertIdentifierRecords(trx, deploymentId, { emails: [email], phones: [] }, { email: `email_addresses[${index}].email` });
  for (const [index, phone] of created.phones.entries())
    await insertIdentifierRecords(trx, deploymentId, { emails: [], phones: [phone] }, { phone: `phone_numbers[${index}].phone_number` });
  for (const [index, connection] of created.connections.entries()) {
    await insertSocialConnectionRecords(trx, deploymentId, [connection], `social_connections[${index}].provider_user_id`);
  }
  if (created.secondFactors) await insertImportedSecondFactors(trx, secretBox, deploymentId, [created.secondFactors]);
  return { status: "created", userId: created.user.id };
}

/**
 * Every new user of a batch in a handful of multi-row INSERTs: the common case of an import (new
 * users, no conflicts) costs a few statements per thousand users instead of several per user.
 * Returns null, with nothing written, when any row breaks a unique index: the caller then writes
 * the batch user by user to find which one.
 */
async function createImportedUsersTogether(trx: Db, secretBox: SecretBox, deploymentId: string, users: PreparedUser[]): Promise<string[] | null> {
  const created = users.map(toNewImportedUser);
  try {
    await withSavepoint(trx, "import_together", async () => {
      await insertUsersInBulk(
        trx,
        deploymentId,
        chunksOf(
          created.map((item) => item.user),
          100,
        ),
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
      await insertImportedSecondFactors(
        trx,
        secretBox,
        deploymentId,
        created.flatMap((item) => (item.secondFactors ? [item.secondFactors] : [])),
      );
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
 * connections the user lacks are added (never removed); a stored identifier the item says is
 * verified becomes verified (never the reverse: the item's "verified: false" only means the old
 * system did not know). A verified identifier becomes primary only when the user has no primary
 * of its kind. Identifiers are matched by value, so a stored value never changes here; new ones
 * are unverified unless the item says verified. An authenticator or backup codes in the item
 * replace the user's.
 */
async function updateImportedUser(trx: Db, secretBox: SecretBox, deploymentId: string, userId: string, user: PreparedUser): Promise<WrittenItem> {
  // Locked before anything is counted, as the admin adds do, so an add racing this update cannot
  // take the user past a per-user cap (the row's UPDATE below locks it too, but only while the
  // patch is never empty). Only updated users are locked: new ones are the batch's own.
  await lockUser(trx, deploymentId, userId);
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
  const added = { emails: [] as string[], phones: [] as string[], connections: [] as string[] };
  const verified = { emails: [] as string[], phones: [] as string[] };

  let hasPrimaryEmail = emails.some((email) => email.isPrimary);
  for (const [index, email] of user.emails.entries()) {
    const isPrimary = email.verified && !hasPrimaryEmail;
    const stored = emails.find((candidate) => candidate.email.toLowerCase() === email.normalized);
    if (stored) {
      if (!email.verified || stored.verified) continue;
      const verificationStrategy = verificationStrategyFor(email.normalized, user);
      await markImportedIdentifierVerified(trx, deploymentId, { kind: "email", id: stored.id, verificationStrategy }, { isPrimary, nowMs });
      verified.emails.push(stored.id);
      hasPrimaryEmail ||= isPrimary;
      continue;
    }
    hasPrimaryEmail ||= isPrimary;
    const newEmail = {
      id: generateId("eml"),
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
    added.emails.push(newEmail.id);
  }
  let hasPrimaryPhone = phones.some((phone) => phone.isPrimary);
  for (const [index, phone] of user.phones.entries()) {
    const isPrimary = phone.verified && !hasPrimaryPhone;
    const stored = phones.find((candidate) => candidate.phoneNumber === phone.phoneNumber);
    if (stored) {
      if (!phone.verified || stored.verified) continue;
      await markImportedIdentifierVerified(trx, deploymentId, { kind: "phone", id: stored.id }, { isPrimary, nowMs });
      verified.phones.push(stored.id);
      hasPrimaryPhone ||= isPrimary;
      continue;
    }
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
    added.phones.push(newPhone.id);
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
    added.connections.push(newConnection.id);
  }
  const secondFactors = secondFactorsOf(userId, user, nowMs);
  if (secondFactors) await insertImportedSecondFactors(trx, secretBox, deploymentId, [secondFactors], { replace: true });
  // A disabled user is signed out everywhere, as an update through the API would do.
  if (user.disabled === true) await revokeSessionsOfUser(trx, deploymentId, userId, nowMs);
  await refreshUserDerivedColumns(trx, deploymentId, userId, nowMs);
  return { status: "updated", userId, added, verified };
}

function summarize(results: ImportItemResult[]): ImportSummary {
  const count = (status: ImportStatus) => results.filter((result) => result.status === status).length;
  return { results, created: count("created"), updated: count("updated"), skipped: count("skipped"), failed: count("failed") };
}
