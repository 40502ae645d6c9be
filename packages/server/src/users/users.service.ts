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
  foldSearchText,
  findPasswordHashes,
  findUserIdsByExternalId,
  insertUser,
  insertUsers,
  listUsers,
  listUsersAfter,
  lockSignInCandidate,
  lockUserRow,
  refreshUserDerivedColumns,
  updateUserRecord,
  type IdentifierLookup,
  type NewUser,
  type SecondFactorPolicy,
  type SignInCandidate,
  type User,
  type UserListQuery,
  type UserPatch,
  type Username,
} from "./users.storage.js";

/**
 * The users table, as the other domains may use it: users is a leaf, calling no other domain.
 * Functions taking `db` work the same on a transaction, so callers use them inside their own.
 */
export type { IdentifierLookup, NewUser, SecondFactorPolicy, SignInCandidate, User, UserListQuery, UserPatch, Username };
export { findLockedUntil, findPasswordHash, findSignInCandidate, foldSearchText, listUsers, lockSignInCandidate, refreshUserDerivedColumns };
// Imports and exports (import/): batches of users, the ids they had elsewhere, and (export only) their hashes.
export { findPasswordHashes, findUserIdsByExternalId, listUsersAfter };
export { foldUsername, isUsername, normalizeUsername, USERNAME_PATTERN } from "./username.js";

export type Metadata = Record<string, unknown>;

// Metadata rides along on every user read; a cap keeps one user from slowing every list.
export const MAX_METADATA_BYTES = 32 * 1024;

/** A 400 naming the field when the metadata is over the cap. */
export function checkMetadata(field: string, value: Metadata | undefined): void {
  if (value === undefined) return;
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) throw errors.validation_failed({ [field]: `must be at most ${MAX_METADATA_BYTES} bytes as JSON` });
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

/** Inserts the user's row (in the caller's transaction when it creates identifiers too); a taken username is a 409. */
export async function insertUserRecord(db: Db, deploymentId: string, user: NewUser): Promise<void> {
  await withUniqueConflicts(() => insertUser(db, deploymentId, user));
}

/** Several new users in one statement, in the caller's transaction (imports); a unique index's violation is a 409. */
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
  await updateUserRecord(db, deploymentId, userId, { lastSignInAt: nowMs, lockedUntil: null, ...(newPasswordHash !== null && { passwordHash: newPasswordHash }) });
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
