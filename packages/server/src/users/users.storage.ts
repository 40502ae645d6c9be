import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { Db } from "../storage/db.js";
import { dialectOf, forUpdate, inDeploymentLedByOtherFilters, isSearchIndexed, searchTextContains } from "../storage/dialect.js";
import { emailOwnersQuery, phoneOwnersQuery } from "../storage/identifier-owners.js";
import { reusableQuery } from "../storage/reusable-query.js";
import { ownedRowsAsJson, parseOwnedRows, selectRowsOfUser } from "../storage/owned-rows.js";
import { valuesOf, valuesSelection, type ValuesOf } from "../storage/json-row.js";
import {
  findUsersWithSecondFactor,
  secondFactorStateColumns,
  toSecondFactorState,
  twoFactorEnabledColumn,
  type SecondFactorState,
} from "../storage/second-factor-state.js";
import type { SocialConnectionRow, UserEmailRow, UserPhoneRow, UserRow } from "../storage/tables.js";
import { insertRows } from "../storage/bulk-insert.js";

/**
 * The one module that writes the users table. Other domains reach it through users.service.ts;
 * the identifier tables are only read here (for the derived columns and the list filters).
 */

/** How search text is compared, stored and searched alike: lower case. */
export function foldSearchText(text: string): string {
  return text.toLowerCase();
}

export type SecondFactorPolicy = "none" | "optional" | "enforced";

export interface User {
  id: string;
  deploymentId: string;
  firstName: string;
  lastName: string;
  username: string | null;
  hasPassword: boolean;
  lastPasswordResetAt: number | null;
  disabled: boolean;
  secondFactorPolicy: SecondFactorPolicy;
  publicMetadata: Record<string, unknown>;
  privateMetadata: Record<string, unknown>;
  primaryEmailAddressId: string | null;
  primaryEmailAddress: string | null;
  primaryPhoneNumberId: string | null;
  primaryPhoneNumber: string | null;
  profileImageId: string | null;
  createdAt: number;
  updatedAt: number;
  lastSignInAt: number | null;
  /** Sign-in is refused until then (after too many wrong passwords); in the past or null when not locked. */
  lockedUntil: number | null;
  /** The user's id in another system (where it was imported from, or the app's own). */
  externalId: string | null;
}

/** What a list shows of a user (users.schemas.ts): read for a page of them at once. */
export type ListedUser = Pick<
  User,
  | "id"
  | "firstName"
  | "lastName"
  | "username"
  | "profileImageId"
  | "primaryEmailAddress"
  | "primaryPhoneNumber"
  | "externalId"
  | "disabled"
  | "createdAt"
  | "updatedAt"
  | "lastSignInAt"
  | "lockedUntil"
>;

/** A user as the list shows it: with whether sign-in asks it for a second factor. */
export interface UserListItem extends ListedUser {
  twoFactorEnabled: boolean;
}

export type UserSortKey = "created_at" | "username" | "email" | "phone_number";

export interface UserListQuery {
  limit: number;
  offset: number;
  sortKey: UserSortKey;
  sortOrder: "asc" | "desc";
  /** Lower-cased substring to look for in names, username, emails and phones. */
  search?: string;
  /** Exact filters; a user matches when it has any of the values given for a filter. */
  normalizedEmails?: string[];
  phoneNumbers?: string[];
  normalizedUsernames?: string[];
  userIds?: string[];
  externalIds?: string[];
  /** Keyset paging: the page right after (or right before) this user in the list's order; offset is 0 then. */
  cursor?: UserListCursor;
}

/** A position in a sorted list: the user it names and that user's value of the sort key. */
export interface UserListCursor {
  direction: "after" | "before";
  userId: string;
  sortValue: string | number | null;
}

// Every column but the password hash (whether a hash exists is all the rest of the code may know),
// in the order of the JSON array a user is read as (storage/json-row.ts).
const userColumns = [
  "id",
  "deployment_id",
  "first_name",
  "last_name",
  "username",
  "last_password_reset_at",
  "disabled",
  "second_factor_policy",
  "public_metadata",
  "private_metadata",
  "primary_email_address_id",
  "primary_email_address",
  "primary_phone_number_id",
  "primary_phone_number",
  "profile_image_id",
  "created_at",
  "updated_at",
  "last_sign_in_at",
  "locked_until",
  "external_id",
] as const;

type UserColumnsRow = Pick<UserRow, (typeof userColumns)[number]> & { has_password: unknown };
type UserValues = ValuesOf<[...typeof userColumns, "has_password"], UserColumnsRow>;

const userValueExpressions: ReadonlyArray<RawBuilder<unknown>> = [
  ...userColumns.map((column) => sql.ref(`users.${column}`)),
  sql`users.password_hash IS NOT NULL`,
];

/** A user's columns and whether it has a password (storage/json-row.ts): read them back with toUser. */
const userSelection = (db: Db) => valuesSelection(db, "user", userValueExpressions);

/** A user read by userValues. */
const toUser = (row: Record<string, unknown>): User => userFromValues(valuesOf(row, "user") as UserValues);

/** A user as a read returns it, from the row just written (a create need not read it back). */
const toUserFromRow = (row: UserRow): User => userFromValues([...userColumns.map((column) => row[column]), row.password_hash !== null] as UserValues);

function userFromValues(values: UserValues): User {
  const [
    id,
    deploymentId,
    firstName,
    lastName,
    username,
    lastPasswordResetAt,
    disabled,
    secondFactorPolicy,
    publicMetadata,
    privateMetadata,
    primaryEmailAddressId,
    primaryEmailAddress,
    primaryPhoneNumberId,
    primaryPhoneNumber,
    profileImageId,
    createdAt,
    updatedAt,
    lastSignInAt,
    lockedUntil,
    externalId,
    hasPassword,
  ] = values;
  return {
    id,
    deploymentId,
    firstName,
    lastName,
    username,
    hasPassword: Boolean(hasPassword),
    lastPasswordResetAt,
    disabled: Boolean(disabled),
    secondFactorPolicy: secondFactorPolicy as SecondFactorPolicy,
    publicMetadata: JSON.parse(publicMetadata),
    privateMetadata: JSON.parse(privateMetadata),
    primaryEmailAddressId,
    primaryEmailAddress,
    primaryPhoneNumberId,
    primaryPhoneNumber,
    profileImageId,
    createdAt,
    updatedAt,
    lastSignInAt,
    lockedUntil,
    externalId,
  };
}

function selectUsers(db: Db, deploymentId: string) {
  return db.selectFrom("users").select(userSelection(db)).where("deployment_id", "=", deploymentId);
}

// Every guard of a route under /users/:userId reads it: compiled once per dialect.
const selectUser = reusableQuery(2, (db: Db, deploymentId: string, userId: string) => selectUsers(db, deploymentId).where("id", "=", userId));

export async function findUser(db: Db, deploymentId: string, userId: string): Promise<User | null> {
  const [row] = await selectUser(db, deploymentId, userId);
  return row ? toUser(row) : null;
}

/** A user with the rows it owns in the identifier and social connection tables, as stored, and its second-factor state. */
export interface UserWithOwnedRows {
  user: User;
  emailRows: UserEmailRow[];
  phoneRows: UserPhoneRow[];
  socialConnectionRows: SocialConnectionRow[];
  secondFactors: SecondFactorState;
}

// The details view's read, the hottest one: compiled once per dialect (storage/reusable-query.ts).
const selectUserWithOwnedRows = reusableQuery(2, (db: Db, deploymentId: string, userId: string) =>
  selectUsers(db, deploymentId)
    .select([
      ownedRowsAsJson(db, "user_emails", deploymentId, "users.id").as("email_rows"),
      ownedRowsAsJson(db, "user_phones", deploymentId, "users.id").as("phone_rows"),
      ownedRowsAsJson(db, "social_connections", deploymentId, "users.id").as("social_connection_rows"),
      ...secondFactorStateColumns(deploymentId, "users.id"),
    ])
    .where("id", "=", userId),
);

/** The user, its emails, phones and social connections and its second-factor state in one statement (the details view's read). */
export async function findUserWithOwnedRows(db: Db, deploymentId: string, userId: string): Promise<UserWithOwnedRows | null> {
  const [row] = await selectUserWithOwnedRows(db, deploymentId, userId);
  if (!row) return null;
  return {
    user: toUser(row),
    emailRows: parseOwnedRows<UserEmailRow>(row.email_rows),
    phoneRows: parseOwnedRows<UserPhoneRow>(row.phone_rows),
    socialConnectionRows: parseOwnedRows<SocialConnectionRow>(row.social_connection_rows),
    secondFactors: toSecondFactorState(row),
  };
}

/** A read of a password hash (the other is findSignInCandidate); kept apart so no other query can leak one. */
export async function findPasswordHash(db: Db, deploymentId: string, userId: string): Promise<string | null> {
  const row = await db.selectFrom("users").select("password_hash").where("deployment_id", "=", deploymentId).where("id", "=", userId).executeTakeFirst();
  return row?.password_hash ?? null;
}

/** A username as given and the case-folded form uniqueness is decided on. */
export interface Username {
  username: string;
  normalized: string;
}

export interface NewUser {
  id: string;
  firstName: string;
  lastName: string;
  username: Username | null;
  passwordHash: string | null;
  publicMetadata: Record<string, unknown>;
  privateMetadata: Record<string, unknown>;
  /** The identifiers the user is created with (verified and primary): the row is complete on its first insert. */
  primaryEmail: { id: string; email: string } | null;
  primaryPhone: { id: string; phoneNumber: string } | null;
  nowMs: number;
  /** Imports: every address the user arrives with (searchable; the primary among them), in place of primaryEmail/primaryPhone. */
  emails?: Array<{ id: string; email: string; isPrimary: boolean }>;
  phones?: Array<{ id: string; phoneNumber: string; isPrimary: boolean }>;
  /** Imports: kept from the other system (default nowMs). */
  createdAt?: number;
  externalId?: string | null;
  disabled?: boolean;
}

/** Inserts the user; returns it as a read would (built from the row written: a create need not read it back). */
export async function insertUser(db: Db, deploymentId: string, user: NewUser): Promise<User> {
  const row = toNewUserRow(deploymentId, user);
  await insertRows(db, "users", [row]);
  return toUserFromRow(row);
}

/** Several users in one statement (imports write a batch this way). */
export async function insertUsers(db: Db, deploymentId: string, users: NewUser[]): Promise<void> {
  await insertRows(
    db,
    "users",
    users.map((user) => toNewUserRow(deploymentId, user)),
  );
}

// SQLite's per-row triggers that an import batch replaces with one statement each: the trigram
// search index (a fifth of an import's CPU through the trigger, a third of that in one
// INSERT … SELECT) and the users count (bench/README.md).
const BULK_INDEXED_TRIGGERS = {
  users_search_after_insert: (afterSeq: number) =>
    sql`INSERT INTO users_search (rowid, search_text) SELECT seq, search_text FROM users WHERE seq > ${afterSeq}`,
  users_count_after_insert: (afterSeq: number) =>
    sql`INSERT INTO deployment_user_counts (deployment_id, user_count)
        SELECT deployment_id, COUNT(*) FROM users WHERE seq > ${afterSeq} GROUP BY deployment_id
        ON CONFLICT (deployment_id) DO UPDATE SET user_count = deployment_user_counts.user_count + excluded.user_count`,
};

/**
 * Several batches of users in the caller's transaction (an import). On SQLite the insert triggers
 * above are set aside while they are written, the rows they missed (every seq above the highest
 * before: SQLite has one writer, and it is us) are indexed and counted in one statement each, and
 * the triggers are put back from their own SQL text, all in the same transaction: whatever
 * commits or rolls back, the schema and the index end exactly as the triggers would leave them.
 * On Postgres the rows are simply inserted.
 */
export async function insertUsersInBulk(db: Db, deploymentId: string, batches: NewUser[][]): Promise<void> {
  if (dialectOf(db) === "postgres") {
    for (const users of batches) await insertUsers(db, deploymentId, users);
    return;
  }
  const names = Object.keys(BULK_INDEXED_TRIGGERS) as Array<keyof typeof BULK_INDEXED_TRIGGERS>;
  const { rows: triggers } = await sql<{ name: keyof typeof BULK_INDEXED_TRIGGERS; sql: string }>`
    SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'users' AND name IN (${sql.join(names)})`.execute(db);
  const { rows } = await sql<{ seq: number | null }>`SELECT max(seq) AS seq FROM users`.execute(db);
  const afterSeq = rows[0]?.seq ?? 0;
  for (const trigger of triggers) await sql`DROP TRIGGER ${sql.id(trigger.name)}`.execute(db);
  for (const users of batches) await insertUsers(db, deploymentId, users);
  for (const trigger of triggers) {
    await BULK_INDEXED_TRIGGERS[trigger.name](afterSeq).execute(db);
    await sql.raw(trigger.sql).execute(db);
  }
}

function toNewUserRow(deploymentId: string, user: NewUser): UserRow {
  const names = { first_name: user.firstName, last_name: user.lastName, username: user.username?.username ?? null };
  const derived = deriveUserColumns(
    names,
    user.emails ?? (user.primaryEmail ? [{ ...user.primaryEmail, isPrimary: true }] : []),
    user.phones ?? (user.primaryPhone ? [{ ...user.primaryPhone, isPrimary: true }] : []),
  );
  return {
    id: user.id,
    deployment_id: deploymentId,
    ...names,
    ...derived,
    username_normalized: user.username?.normalized ?? null,
    password_hash: user.passwordHash,
    last_password_reset_at: null,
    disabled: user.disabled ?? false,
    second_factor_policy: "none",
    public_metadata: JSON.stringify(user.publicMetadata),
    private_metadata: JSON.stringify(user.privateMetadata),
    profile_image_id: null,
    created_at: user.createdAt ?? user.nowMs,
    updated_at: user.nowMs,
    last_sign_in_at: null,
    locked_until: null,
    external_id: user.externalId ?? null,
  };
}

/** The columns a write may change, in domain terms; an absent field is left as it is. */
export interface UserPatch {
  firstName?: string;
  lastName?: string;
  /** null removes the username. */
  username?: Username | null;
  publicMetadata?: Record<string, unknown>;
  privateMetadata?: Record<string, unknown>;
  disabled?: boolean;
  secondFactorPolicy?: SecondFactorPolicy;
  profileImageId?: string | null;
  passwordHash?: string | null;
  lastPasswordResetAt?: number;
  lastSignInAt?: number;
  lockedUntil?: number | null;
  updatedAt?: number;
  /** null removes it. */
  externalId?: string | null;
  /** Imports with on_conflict "update": the other system's creation time. */
  createdAt?: number;
}

function toUserColumns(patch: UserPatch): Partial<UserRow> {
  return {
    ...(patch.firstName !== undefined && { first_name: patch.firstName }),
    ...(patch.lastName !== undefined && { last_name: patch.lastName }),
    ...(patch.username !== undefined && { username: patch.username?.username ?? null, username_normalized: patch.username?.normalized ?? null }),
    ...(patch.publicMetadata !== undefined && { public_metadata: JSON.stringify(patch.publicMetadata) }),
    ...(patch.privateMetadata !== undefined && { private_metadata: JSON.stringify(patch.privateMetadata) }),
    ...(patch.disabled !== undefined && { disabled: patch.disabled }),
    ...(patch.secondFactorPolicy !== undefined && { second_factor_policy: patch.secondFactorPolicy }),
    ...(patch.profileImageId !== undefined && { profile_image_id: patch.profileImageId }),
    ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
    ...(patch.lastPasswordResetAt !== undefined && { last_password_reset_at: patch.lastPasswordResetAt }),
    ...(patch.lastSignInAt !== undefined && { last_sign_in_at: patch.lastSignInAt }),
    ...(patch.lockedUntil !== undefined && { locked_until: patch.lockedUntil }),
    ...(patch.updatedAt !== undefined && { updated_at: patch.updatedAt }),
    ...(patch.externalId !== undefined && { external_id: patch.externalId }),
    ...(patch.createdAt !== undefined && { created_at: patch.createdAt }),
  };
}

/** Returns whether the user existed. */
export async function updateUserRecord(db: Db, deploymentId: string, userId: string, patch: UserPatch): Promise<boolean> {
  return updateUserColumns(db, deploymentId, userId, toUserColumns(patch));
}

// Updates of a user by id, compiled once per set of columns (a handful of shapes: metadata, a sign-in, the derived columns…).
const reusableUpdates = new Map<string, (db: Db, ...values: unknown[]) => Promise<unknown[]>>();
const MAX_REUSABLE_UPDATES = 100;

async function updateUserColumns(db: Db, deploymentId: string, userId: string, columns: Partial<UserRow>): Promise<boolean> {
  const names = Object.keys(columns) as Array<keyof UserRow>;
  const shape = names.join(",");
  let update = reusableUpdates.get(shape);
  if (!update && reusableUpdates.size < MAX_REUSABLE_UPDATES) {
    update = reusableQuery(names.length + 2, (db: Db, ...values: unknown[]) =>
      db
        .updateTable("users")
        .set(Object.fromEntries(names.map((name, position) => [name, values[position]])) as Partial<UserRow>)
        .where("deployment_id", "=", values[names.length] as string)
        .where("id", "=", values[names.length + 1] as string)
        .returning("id"),
    );
    reusableUpdates.set(shape, update);
  }
  if (update) return (await update(db, ...names.map((name) => columns[name]), deploymentId, userId)).length > 0;
  const result = await db.updateTable("users").set(columns).where("deployment_id", "=", deploymentId).where("id", "=", userId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// Every change of a user takes it first: compiled once per dialect.
const selectUserForUpdate = reusableQuery(2, (db: Db, deploymentId: string, userId: string) =>
  forUpdate(db, db.selectFrom("users").select("id").where("deployment_id", "=", deploymentId).where("id", "=", userId)),
);

/** Locks the user's row (Postgres) until the transaction ends; returns whether the user exists. */
export async function lockUserRow(db: Db, deploymentId: string, userId: string): Promise<boolean> {
  return (await selectUserForUpdate(db, deploymentId, userId)).length > 0;
}

/** The ids of the deployment's users with these external ids (imports find what they already brought in). */
export async function findUserIdsByExternalId(db: Db, deploymentId: string, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("users")
    .select(["id", "external_id"])
    .where("deployment_id", "=", deploymentId)
    .where("external_id", "in", externalIds)
    .execute();
  return new Map(rows.map((row) => [row.external_id!, row.id]));
}

/** A page of the deployment's users in id order, after `afterId`: a keyset walk that stays fast at any depth (export). */
export async function listUsersAfter(db: Db, deploymentId: string, afterId: string | null, limit: number): Promise<User[]> {
  let query = selectUsers(db, deploymentId).orderBy("id").limit(limit);
  if (afterId !== null) query = query.where("id", ">", afterId);
  return (await query.execute()).map(toUser);
}

/** Password hashes of several users: a confidential read that only `wacht export --include-password-hashes` makes. */
export async function findPasswordHashes(db: Db, deploymentId: string, userIds: string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("users")
    .select(["id", "password_hash"])
    .where("deployment_id", "=", deploymentId)
    .where("id", "in", userIds)
    .where("password_hash", "is not", null)
    .execute();
  return new Map(rows.map((row) => [row.id, row.password_hash!]));
}

/** Removes the user; its emails, phones, connections, sessions and images go with it (ON DELETE CASCADE). */
export async function deleteUserRow(db: Db, deploymentId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom("users").where("deployment_id", "=", deploymentId).where("id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// Each has an index of the same expression (migration 0001), so sorted pages are read in order.
const sortExpressions: Record<UserSortKey, RawBuilder<unknown>> = {
  created_at: sql`users.created_at`,
  username: sql`users.username_normalized`,
  email: sql`lower(users.primary_email_address)`,
  phone_number: sql`users.primary_phone_number`,
};

/** The user's value of the sort key, for a cursor naming it; null when the user is not in this deployment. */
export async function findUserSortValue(db: Db, deploymentId: string, userId: string, sortKey: UserSortKey): Promise<{ value: string | number | null } | null> {
  const [row] = await sortValueQueries[sortKey](db, deploymentId, userId);
  return row ? { value: row.value } : null;
}

// Read before every cursor page: compiled once per sort key and dialect.
const sortValueQueries = Object.fromEntries(
  (Object.keys(sortExpressions) as UserSortKey[]).map((sortKey) => [
    sortKey,
    reusableQuery(2, (db: Db, deploymentId: string, userId: string) =>
      db
        .selectFrom("users")
        .select(sql<string | number | null>`${sortExpressions[sortKey]}`.as("value"))
        .where("users.deployment_id", "=", deploymentId)
        .where("users.id", "=", userId),
    ),
  ]),
) as Record<UserSortKey, (db: Db, deploymentId: string, userId: string) => Promise<Array<{ value: string | number | null }>>>;

/**
 * The rows strictly past the cursor in the direction of travel, for the order
 * `key <order> NULLS LAST, id <order>`. A row value comparison `(key, id) > (v, id)` is a range
 * on the sort index; rows whose key is NULL sit after every other row.
 */
function pastCursor(sortKey: UserSortKey, order: "asc" | "desc", cursor: UserListCursor): RawBuilder<SqlBool> {
  const key = sortExpressions[sortKey];
  const forward = cursor.direction === "after";
  const comparison = sql.raw((order === "asc") === forward ? ">" : "<");
  const keyNeverNull = sortKey === "created_at";
  if (cursor.sortValue === null) {
    // The cursor is among the NULLs at the end: after it are NULLs past its id; before it, every non-NULL row too.
    const nullsPastId = sql<SqlBool>`(${key} IS NULL AND users.id ${comparison} ${cursor.userId})`;
    return forward ? nullsPastId : sql<SqlBool>`(${key} IS NOT NULL OR ${nullsPastId})`;
  }
  const range = sql<SqlBool>`(${key}, users.id) ${comparison} (${cursor.sortValue}, ${cursor.userId})`;
  return forward && !keyNeverNull ? sql<SqlBool>`(${range} OR ${key} IS NULL)` : range;
}

export interface UserPage {
  items: UserListItem[];
  total: number;
  /** Whether another page follows in the direction of travel. */
  hasMore: boolean;
}

function filteredUsers(db: Db, deploymentId: string, query: UserListQuery) {
  // A search or an exact email, phone or id narrows the list to a few users through its own index;
  // without one, the deployment's sort index reads the page in order.
  const hasIndexedFilter = Boolean(
    (query.search && isSearchIndexed(db, query.search)) ||
    query.normalizedEmails?.length ||
    query.phoneNumbers?.length ||
    query.userIds?.length ||
    query.externalIds?.length,
  );
  let filtered = hasIndexedFilter
    ? db.selectFrom("users").where(inDeploymentLedByOtherFilters(db, "users.deployment_id", deploymentId))
    : db.selectFrom("users").where("users.deployment_id", "=", deploymentId);
  if (query.search) filtered = filtered.where(searchTextContains(db, query.search));
  if (query.normalizedEmails?.length) filtered = filtered.where("users.id", "in", emailOwnersQuery(db, deploymentId, query.normalizedEmails));
  if (query.phoneNumbers?.length) filtered = filtered.where("users.id", "in", phoneOwnersQuery(db, deploymentId, query.phoneNumbers));
  if (query.normalizedUsernames?.length) filtered = filtered.where("users.username_normalized", "in", query.normalizedUsernames);
  if (query.userIds?.length) filtered = filtered.where("users.id", "in", query.userIds);
  if (query.externalIds?.length) filtered = filtered.where("users.external_id", "in", query.externalIds);
  return filtered;
}

/**
 * The page size written into the SQL, not bound: SQLite plans a bound LIMIT as unknown, and a
 * filtered page (sorted in a temporary B-tree) then cost 2–5× more, 25 against 11 µs for a lookup
 * by email; an index-ordered first page 1.5× more (bench/README.md). Only a validated integer gets here.
 */
function pageSizeLiteral(limit: number) {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError(`page size ${limit} is not an integer from 1 to 1000`);
  return sql.lit(limit);
}

/** The page's rows in list order (before a cursor: read backwards, one row more than the page, turned round by the caller). */
function pageQuery(db: Db, deploymentId: string, query: UserListQuery) {
  const { cursor } = query;
  const filtered = filteredUsers(db, deploymentId, query);
  // Before a cursor, the page is read backwards from it (the order reversed, NULLs first).
  const backwards = cursor?.direction === "before";
  const readOrder = backwards ? (query.sortOrder === "asc" ? "desc" : "asc") : query.sortOrder;
  const direction = sql.raw(readOrder === "asc" ? "ASC" : "DESC");
  // created_at is never NULL: a NULLS clause there would only keep Postgres off users_by_created
  // (its backward scan is DESC NULLS FIRST) and make it sort the deployment (migration 0016).
  const nulls = sql.raw(query.sortKey === "created_at" ? "" : backwards ? "NULLS FIRST" : "NULLS LAST");
  // NULLS LAST in both engines (their defaults differ); the id breaks ties so pages never overlap.
  const ordered = (cursor ? filtered.where(pastCursor(query.sortKey, query.sortOrder, cursor)) : filtered)
    .select(listItemSelection(db, deploymentId))
    .orderBy(sql`${sortExpressions[query.sortKey]} ${direction} ${nulls}`)
    .orderBy(sql`users.id ${direction}`);
  // One row more than the page, under a cursor, says whether another page follows in the direction of travel.
  return cursor ? ordered.limit(pageSizeLiteral(query.limit + 1)) : ordered.limit(pageSizeLiteral(query.limit)).offset(query.offset);
}

type PageRow = Record<string, unknown>;

// A list item's columns, in the order of the JSON array a page reads each row as (storage/json-row.ts).
const listItemColumns = [
  "id",
  "first_name",
  "last_name",
  "username",
  "profile_image_id",
  "primary_email_address",
  "primary_phone_number",
  "external_id",
  "disabled",
  "created_at",
  "updated_at",
  "last_sign_in_at",
  "locked_until",
] as const;

type ListItemRow = Pick<UserRow, (typeof listItemColumns)[number]> & { two_factor_enabled: unknown };
/** The list item's columns, and on SQLite (only) whether the user has a second factor (twoFactorEnabledColumn). */
type ListItemValues = ValuesOf<[...typeof listItemColumns, "two_factor_enabled"], ListItemRow>;

/** One page row's values (storage/json-row.ts), with whether the user has a second factor where the dialect reads it in the same statement. */
function listItemSelection(db: Db, deploymentId: string) {
  const columns = listItemColumns.map((column) => sql.ref(`users.${column}`));
  return valuesSelection(db, "item", dialectOf(db) === "sqlite" ? [...columns, twoFactorEnabledColumn(deploymentId, "users.id")] : columns);
}

function toListItem(values: ListItemValues, twoFactorEnabled: boolean): UserListItem {
  const [
    id,
    firstName,
    lastName,
    username,
    profileImageId,
    primaryEmailAddress,
    primaryPhoneNumber,
    externalId,
    disabled,
    createdAt,
    updatedAt,
    lastSignInAt,
    lockedUntil,
  ] = values;
  return {
    id,
    firstName,
    lastName,
    username,
    profileImageId,
    primaryEmailAddress,
    primaryPhoneNumber,
    externalId,
    disabled: Boolean(disabled),
    createdAt,
    updatedAt,
    lastSignInAt,
    lockedUntil,
    twoFactorEnabled,
  };
}

/** The page's users with their second-factor status: on Postgres read for the page's rows only, in a second statement. */
async function toListItems(db: Db, deploymentId: string, rows: PageRow[]): Promise<UserListItem[]> {
  const values = rows.map((row) => valuesOf(row, "item") as ListItemValues);
  if (dialectOf(db) === "sqlite") return values.map((row) => toListItem(row, Boolean(row[13])));
  const withSecondFactor = await findUsersWithSecondFactor(
    db,
    deploymentId,
    values.map((row) => row[0]),
  );
  return values.map((row) => toListItem(row, withSecondFactor.has(row[0])));
}

// The hottest lists (the first pages, a lookup by one email) compiled once per sort and dialect.
const reusablePages = new Map<string, (db: Db, deploymentId: string, email: string, offset: number) => Promise<PageRow[]>>();
// The page size is part of the SQL (pageSizeLiteral); beyond these shapes, pages are built each time.
const MAX_REUSABLE_PAGE_SHAPES = 200;

/** A reusable query for a list of this shape (unfiltered or one exact email, no cursor), else null. */
function reusablePageOf(query: UserListQuery) {
  const emails = query.normalizedEmails?.length ?? 0;
  if (
    query.cursor ||
    query.search ||
    query.phoneNumbers?.length ||
    query.normalizedUsernames?.length ||
    query.userIds?.length ||
    query.externalIds?.length ||
    emails > 1
  )
    return null;
  const shape = `${query.sortKey}:${query.sortOrder}:${emails}:${query.limit}`;
  let reusable = reusablePages.get(shape);
  if (!reusable) {
    if (reusablePages.size >= MAX_REUSABLE_PAGE_SHAPES) return null;
    reusable = reusableQuery(3, (db: Db, deploymentId: string, email: string, offset: number) =>
      pageQuery(db, deploymentId, { ...query, normalizedEmails: emails ? [email] : undefined, offset }),
    );
    reusablePages.set(shape, reusable);
  }
  return reusable;
}

// Unfiltered cursor pages (what an SDK's iterator asks for page after page), compiled once per shape.
const reusableCursorPages = new Map<string, (db: Db, deploymentId: string, userId: string, sortValue: string | number | null) => Promise<PageRow[]>>();
// Shapes differ by page size too (pageSizeLiteral); beyond these, pages are built each time.
const MAX_REUSABLE_CURSOR_SHAPES = 200;

/** A reusable query for an unfiltered cursor page of this sort, order, direction and size, else null. */
function reusableCursorPageOf(query: UserListQuery) {
  const { cursor } = query;
  if (!cursor || !isUnfilteredList(query)) return null;
  const nullValue = cursor.sortValue === null;
  const shape = `${query.sortKey}:${query.sortOrder}:${cursor.direction}:${nullValue}:${query.limit}`;
  let reusable = reusableCursorPages.get(shape);
  if (!reusable) {
    if (reusableCursorPages.size >= MAX_REUSABLE_CURSOR_SHAPES) return null;
    reusable = reusableQuery(3, (db: Db, deploymentId: string, userId: string, sortValue: string | number | null) =>
      // A NULL cursor value changes the SQL (pastCursor), so it is part of the shape, not an argument.
      pageQuery(db, deploymentId, { ...query, cursor: { direction: cursor.direction, userId, sortValue: nullValue ? null : sortValue } }),
    );
    reusableCursorPages.set(shape, reusable);
  }
  return reusable;
}

const isUnfilteredList = (query: UserListQuery) =>
  !query.search &&
  !query.normalizedEmails?.length &&
  !query.phoneNumbers?.length &&
  !query.normalizedUsernames?.length &&
  !query.userIds?.length &&
  !query.externalIds?.length;

export async function listUsers(db: Db, deploymentId: string, query: UserListQuery): Promise<UserPage> {
  const isUnfiltered = isUnfilteredList(query);
  const countTotal = async () =>
    isUnfiltered
      ? countUsersOfDeployment(db, deploymentId)
      : Number(
          (
            await filteredUsers(db, deploymentId, query)
              .select((eb) => eb.fn.countAll<number>().as("total"))
              .executeTakeFirstOrThrow()
          ).total,
        );

  if (query.cursor) {
    const reusable = reusableCursorPageOf(query);
    const rows = reusable ? await reusable(db, deploymentId, query.cursor.userId, query.cursor.sortValue) : await pageQuery(db, deploymentId, query).execute();
    const hasMore = rows.length > query.limit;
    const pageRows = rows.slice(0, query.limit);
    if (query.cursor.direction === "before") pageRows.reverse();
    const [items, total] = await Promise.all([toListItems(db, deploymentId, pageRows), countTotal()]);
    return { items, total, hasMore };
  }

  const reusable = reusablePageOf(query);
  const rows = reusable
    ? await reusable(db, deploymentId, query.normalizedEmails?.[0] ?? "", query.offset)
    : await pageQuery(db, deploymentId, query).execute();
  // A page that is not full is the last one, so it already tells the total: a search or an exact
  // filter (usually a handful of matches) then costs one query, not two (bench/README.md).
  const pageTellsTotal = rows.length > 0 && rows.length < query.limit;
  const [items, total] = await Promise.all([toListItems(db, deploymentId, rows), pageTellsTotal ? query.offset + rows.length : countTotal()]);
  return { items, total, hasMore: query.offset + rows.length < total };
}

// Read by every unfiltered page: compiled once per dialect.
const selectUserCount = reusableQuery(1, (db: Db, deploymentId: string) =>
  db.selectFrom("deployment_user_counts").select("user_count").where("deployment_id", "=", deploymentId),
);

/** Every user of the deployment, from the count the users triggers keep (migration 0004). */
async function countUsersOfDeployment(db: Db, deploymentId: string): Promise<number> {
  const [row] = await selectUserCount(db, deploymentId);
  return Number(row?.user_count ?? 0);
}

/**
 * Recomputes what the users row keeps for fast lists and search from the identifier tables:
 * the primary email and phone (id and value) and the searchable text. Every write that touches a
 * user's names or identifiers ends here, inside its transaction, so these never drift.
 */
export async function refreshUserDerivedColumns(db: Db, deploymentId: string, userId: string, nowMs: number): Promise<void> {
  const [user, emails, phones] = await Promise.all([
    db
      .selectFrom("users")
      .select(["first_name", "last_name", "username"])
      .where("deployment_id", "=", deploymentId)
      .where("id", "=", userId)
      .executeTakeFirst(),
    selectRowsOfUser(db, "user_emails", deploymentId, userId).execute(),
    selectRowsOfUser(db, "user_phones", deploymentId, userId).execute(),
  ]);
  if (!user) return;
  const emailParts = (emails as UserEmailRow[]).map((row) => ({ id: row.id, email: row.email, isPrimary: Boolean(row.is_primary) }));
  const phoneParts = (phones as UserPhoneRow[]).map((row) => ({ id: row.id, phoneNumber: row.phone_number, isPrimary: Boolean(row.is_primary) }));
  await updateUserColumns(db, deploymentId, userId, { ...deriveUserColumns(user, emailParts, phoneParts), updated_at: nowMs });
}

type DerivedUserColumns = Pick<
  UserRow,
  "primary_email_address_id" | "primary_email_address" | "primary_phone_number_id" | "primary_phone_number" | "search_text"
>;

/** The users columns that follow from a user's names and identifiers: written once here for create and refresh alike. */
export function deriveUserColumns(
  names: Pick<UserRow, "first_name" | "last_name" | "username">,
  emails: Array<{ id: string; email: string; isPrimary: boolean }>,
  phones: Array<{ id: string; phoneNumber: string; isPrimary: boolean }>,
): DerivedUserColumns {
  const primaryEmail = emails.find((email) => email.isPrimary) ?? null;
  const primaryPhone = phones.find((phone) => phone.isPrimary) ?? null;
  const searchText = [names.first_name, names.last_name, names.username, ...emails.map((e) => e.email), ...phones.map((p) => p.phoneNumber)]
    .filter((part) => part)
    .join(" ");
  return {
    primary_email_address_id: primaryEmail?.id ?? null,
    primary_email_address: primaryEmail?.email ?? null,
    primary_phone_number_id: primaryPhone?.id ?? null,
    primary_phone_number: primaryPhone?.phoneNumber ?? null,
    search_text: foldSearchText(searchText),
  };
}

/** What deciding a sign-in needs to know about a user, password hash included: read only for sign-in. */
export interface SignInCandidate {
  userId: string;
  passwordHash: string | null;
  isDisabled: boolean;
  lockedUntil: number | null;
}

/** One normalized identifier: a verified email, a verified phone (E.164) or a username. */
export type IdentifierLookup = { normalizedEmail: string } | { phoneNumber: string } | { normalizedUsername: string };

const candidateColumns = ["users.id", "users.password_hash", "users.disabled", "users.locked_until"] as const;

const toCandidate = (row: { id: string; password_hash: string | null; disabled: unknown; locked_until: number | null }): SignInCandidate => ({
  userId: row.id,
  passwordHash: row.password_hash,
  isDisabled: Boolean(row.disabled),
  lockedUntil: row.locked_until,
});

/** The user an identifier names (only verified emails and phones count), or null. */
export async function findSignInCandidate(db: Db, deploymentId: string, lookup: IdentifierLookup): Promise<SignInCandidate | null> {
  let query = db.selectFrom("users").select(candidateColumns).where("users.deployment_id", "=", deploymentId);
  if ("normalizedEmail" in lookup) {
    query = query.where("users.id", "in", emailOwnersQuery(db, deploymentId, [lookup.normalizedEmail], { verifiedOnly: true }));
  } else if ("phoneNumber" in lookup) {
    query = query.where("users.id", "in", phoneOwnersQuery(db, deploymentId, [lookup.phoneNumber], { verifiedOnly: true }));
  } else {
    query = query.where("users.username_normalized", "=", lookup.normalizedUsername);
  }
  const row = await query.executeTakeFirst();
  return row ? toCandidate(row) : null;
}

/** Re-reads the candidate with its row locked (Postgres) until the sign-in transaction ends. */
export async function lockSignInCandidate(db: Db, deploymentId: string, userId: string): Promise<SignInCandidate | null> {
  const row = await forUpdate(
    db,
    db.selectFrom("users").select(candidateColumns).where("users.deployment_id", "=", deploymentId).where("users.id", "=", userId),
  ).executeTakeFirst();
  return row ? toCandidate(row) : null;
}

export async function findLockedUntil(db: Db, deploymentId: string, userId: string): Promise<number | null> {
  const row = await db.selectFrom("users").select("locked_until").where("deployment_id", "=", deploymentId).where("id", "=", userId).executeTakeFirst();
  return row?.locked_until ?? null;
}
