import { recordChange, type ChangeContext } from "../changes/changes.service.js";
import { withUniqueConflicts } from "../conflicts.js";
import { errors } from "../errors.js";
import type { Db } from "../storage/db.js";
import {
  deleteUserRow,
  findLockedUntil,
  findPasswordHash,
  findSignInCandidate,
  findUser,
  findUserWithOwnedRows,
  foldSearchText,
  findPasswordHashes,
  findUserIdsByExternalId,
  insertUser,
  insertUsers,
  listUsersAfter,
  findUserSortValue,
  listUsers as listUserRows,
  lockSignInCandidate,
  lockUserRow,
  insertUsersInBulk,
  refreshUserDerivedColumns,
  updateUserRecord,
  type IdentifierLookup,
  type NewUser,
  type SecondFactorPolicy,
  type SignInCandidate,
  type User,
  type ListedUser,
  type UserListItem,
  type UserListQuery,
  type UserPage,
  type UserPatch,
  type Username,
  type UserWithOwnedRows,
} from "./users.storage.js";

/**
 * The users table, as the other domains may use it: users is a leaf, calling no other domain.
 * Functions taking `db` work the same on a transaction, so callers use them inside their own.
 */
export type {
  IdentifierLookup,
  NewUser,
  SecondFactorPolicy,
  SignInCandidate,
  User,
  ListedUser,
  UserListItem,
  UserListQuery,
  UserPage,
  UserPatch,
  Username,
  UserWithOwnedRows,
};
export { findLockedUntil, findPasswordHash, findSignInCandidate, foldSearchText, lockSignInCandidate, refreshUserDerivedColumns };
// Imports and exports (import/): batches of users, the ids they had elsewhere, and (export only) their hashes.
export { findPasswordHashes, findUserIdsByExternalId, listUsersAfter };

/** Where a list starts, as the request says it: an offset, or a cursor naming a user. */
export interface ListPosition {
  offset: number;
  startingAfter?: string;
  endingBefore?: string;
}

/**
 * One page of users. A cursor names a user of this deployment; the page is the one right after
 * (starting_after) or right before (ending_before) it in the requested order, so inserts and deletes
 * elsewhere in the list never shift it. A cursor cannot be combined with the other cursor or an offset.
 */
export async function listUsers(db: Db, deploymentId: string, query: Omit<UserListQuery, "cursor" | "offset">, position: ListPosition): Promise<UserPage> {
  const { startingAfter, endingBefore } = position;
  if (startingAfter === undefined && endingBefore === undefined) return listUserRows(db, deploymentId, { ...query, offset: position.offset });
  if (startingAfter !== undefined && endingBefore !== undefined) throw errors.validation_failed({ ending_before: "cannot be combined with starting_after" });
  const field = startingAfter !== undefined ? "starting_after" : "ending_before";
  if (position.offset > 0) throw errors.validation_failed({ offset: `must be 0 with ${field}` });
  const userId = (startingAfter ?? endingBefore)!;
  const found = await findUserSortValue(db, deploymentId, userId, query.sortKey);
  if (!found) throw errors.validation_failed({ [field]: "names no user of this deployment" });
  const cursor = { direction: startingAfter !== undefined ? "after" : "before", userId, sortValue: found.value } as const;
  return listUserRows(db, deploymentId, { ...query, offset: 0, cursor });
}
export { foldUsername, isUsername, normalizeUsername, USERNAME_PATTERN } from "./username.js";

export type Metadata = Record<string, unknown>;

// Metadata rides along on every user read; a cap keeps one user from slowing every list.
export const MAX_METADATA_BYTES = 32 * 1024;

/** A 400 naming the field when the metadata is over the cap. */
export function checkMetadata(field: string, value: Metadata | undefined): void {
  if (value === undefined) return;
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES)
    throw errors.validation_failed({ [field]: `must be at most ${MAX_METADATA_BYTES} bytes as JSON` });
}

/** The user with the identifier and connection rows it owns, in one statement; a 404 `user_not_found` otherwise. */
export async function getUserWithOwnedRows(db: Db, deploymentId: string, userId: string): Promise<UserWithOwnedRows> {
  const found = await findUserWithOwnedRows(db, deploymentId, userId);
  if (!found) throw errors.user_not_found(userId);
  return found;
}

export async function getUser(db: Db, deploymentId: string, userId: string): Promise<User> {
  const user = await findUser(db, deploymentId, userId);
  if (!user) throw errors.user_not_found(userId);
  return user;
}

/** The guard of every route under /users/:userId: a 404 `user_not_found` unless the user exists in the deployment. */
export async function requireUser(db: Db, deploymentId: string, userId: string): Promise<void> {
  await getUser(db, deploymentId, userId);
}

/**
 * Inside the caller's transaction: locks the user's row (Postgres) so concurrent changes of one
 * user (identifiers, connections, profile) apply one after another; a 404 when there is no such user.
 */
export async function lockUser(trx: Db, deploymentId: string, userId: string): Promise<void> {
  if (!(await lockUserRow(trx, deploymentId, userId))) throw errors.user_not_found(userId);
}

/** Inserts the user's row (in the caller's transaction when it creates identifiers too) and returns the user; a taken username is a 409. */
export async function insertUserRecord(db: Db, deploymentId: string, user: NewUser): Promise<User> {
  return withUniqueConflicts(() => insertUser(db, deploymentId, user));
}

/** Several new users in one statement, in the caller's transaction (imports); a unique index's violation is a 409. */
/** An import's new users, batch after batch, indexed for search and counted in bulk (users.storage.ts). */
export { insertUsersInBulk };

export async function insertUserRecords(db: Db, deploymentId: string, users: NewUser[]): Promise<void> {
  await withUniqueConflicts(() => insertUsers(db, deploymentId, users));
}

/** Kept byte-exact (another system's ids may be case-sensitive); only its length is a rule. */
export function checkExternalId(externalId: string, field = "external_id"): string {
  if (externalId.length < 1 || externalId.length > 255) throw errors.validation_failed({ [field]: "must be 1 to 255 characters" });
  return externalId;
}

/** Writes the given columns; a 404 when there is no such user, a 409 when the username is taken. */
export async function patchUser(db: Db, deploymentId: string, userId: string, patch: UserPatch): Promise<void> {
  const found = await withUniqueConflicts(() => updateUserRecord(db, deploymentId, userId, patch));
  if (!found) throw errors.user_not_found(userId);
}

/** Sets (or with null lifts) a sign-in lockout; returns whether the user exists. */
export async function setLockedUntil(db: Db, deploymentId: string, userId: string, lockedUntil: number | null): Promise<boolean> {
  return updateUserRecord(db, deploymentId, userId, { lockedUntil });
}

/** After a successful sign-in: when it happened, no lockout, and (when given) the password's new hash. */
export async function recordSignIn(db: Db, deploymentId: string, userId: string, nowMs: number, newPasswordHash: string | null): Promise<void> {
  await updateUserRecord(db, deploymentId, userId, {
    lastSignInAt: nowMs,
    lockedUntil: null,
    ...(newPasswordHash !== null && { passwordHash: newPasswordHash }),
  });
}

/** Deletes the user; emails, phones, social connections, sessions and images go in the same statement. */
export async function deleteUser(db: Db, deploymentId: string, context: ChangeContext, userId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const deleted = await deleteUserRow(trx, deploymentId, userId);
    if (!deleted) throw errors.user_not_found(userId);
    await recordChange(trx, deploymentId, context, {
      action: "user.delete",
      target: { type: "user", id: userId },
      events: [{ type: "user.deleted", data: { id: userId, deleted: true } }],
    });
  });
}
