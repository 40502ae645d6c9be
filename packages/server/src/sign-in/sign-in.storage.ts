import { emailOwnersQuery, phoneOwnersQuery } from "../identifiers/identifiers.storage.js";
import type { Db } from "../storage/db.js";
import { forUpdate } from "../storage/dialect.js";

/** What deciding a sign-in needs to know about a user, password hash included: read only by sign-in. */
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
  const row = await forUpdate(db, db.selectFrom("users").select(candidateColumns).where("users.deployment_id", "=", deploymentId).where("users.id", "=", userId)).executeTakeFirst();
  return row ? toCandidate(row) : null;
}

/** Records an attempt and forgets this user's attempts older than `forgetBeforeMs`. */
export async function insertSignInFailure(db: Db, row: { id: string; deployment_id: string; user_id: string; failed_at: number }, forgetBeforeMs: number): Promise<void> {
  await db.insertInto("sign_in_failures").values(row).execute();
  await db.deleteFrom("sign_in_failures").where("deployment_id", "=", row.deployment_id).where("user_id", "=", row.user_id).where("failed_at", "<", forgetBeforeMs).execute();
}

export async function countSignInFailures(db: Db, deploymentId: string, userId: string, sinceMs: number): Promise<number> {
  const row = await db
    .selectFrom("sign_in_failures")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .where("failed_at", ">=", sinceMs)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Forgets one attempt (by id), or all of the user's. */
export async function deleteSignInFailures(db: Db, deploymentId: string, userId: string, failureId?: string): Promise<void> {
  let query = db.deleteFrom("sign_in_failures").where("deployment_id", "=", deploymentId).where("user_id", "=", userId);
  if (failureId) query = query.where("id", "=", failureId);
  await query.execute();
}

export async function findLockedUntil(db: Db, deploymentId: string, userId: string): Promise<number | null> {
  const row = await db.selectFrom("users").select("locked_until").where("deployment_id", "=", deploymentId).where("id", "=", userId).executeTakeFirst();
  return row?.locked_until ?? null;
}

/** Sets (or with null clears) the lockout; returns whether the user exists. */
export async function updateLockedUntil(db: Db, deploymentId: string, userId: string, lockedUntil: number | null): Promise<boolean> {
  const result = await db.updateTable("users").set({ locked_until: lockedUntil }).where("deployment_id", "=", deploymentId).where("id", "=", userId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** After a successful sign-in: when it happened, no lockout, and (when given) the password's new hash. */
export async function recordSignIn(db: Db, deploymentId: string, userId: string, nowMs: number, newPasswordHash: string | null): Promise<void> {
  await db
    .updateTable("users")
    .set({ last_sign_in_at: nowMs, locked_until: null, ...(newPasswordHash !== null && { password_hash: newPasswordHash }) })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", userId)
    .execute();
}
