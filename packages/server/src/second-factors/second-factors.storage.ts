import type { Db } from "../storage/db.js";

/** A TOTP authenticator as the rest of the code may see it: never its secret. */
export interface TotpAuthenticator {
  id: string;
  userId: string;
  accountName: string;
  createdAt: number;
}

/** What checking a code needs: the sealed secret and the newest step already used. Read only here and in the service. */
export interface TotpAuthenticatorSecret {
  id: string;
  secretSealed: string;
  lastUsedStep: number;
}

export interface BackupCodeHash {
  id: string;
  codeHash: string;
}

export interface NewTotpAuthenticator {
  id: string;
  userId: string;
  /** Already sealed: storage never sees the secret. */
  secretSealed: string;
  accountName: string;
  createdAt: number;
}

export async function insertTotpAuthenticator(db: Db, deploymentId: string, authenticator: NewTotpAuthenticator): Promise<void> {
  await insertTotpAuthenticators(db, deploymentId, [authenticator]);
}

export async function findTotpAuthenticator(db: Db, deploymentId: string, userId: string): Promise<TotpAuthenticator | null> {
  const row = await db
    .selectFrom("totp_authenticators")
    .select(["id", "user_id", "account_name", "created_at"])
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row ? { id: row.id, userId: row.user_id, accountName: row.account_name, createdAt: row.created_at } : null;
}

/** The confidential read: the sealed secret, for checking a code. */
export async function findTotpAuthenticatorSecret(db: Db, deploymentId: string, userId: string): Promise<TotpAuthenticatorSecret | null> {
  const row = await db
    .selectFrom("totp_authenticators")
    .select(["id", "secret_sealed", "last_used_step"])
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row ? { id: row.id, secretSealed: row.secret_sealed, lastUsedStep: Number(row.last_used_step) } : null;
}

/**
 * Marks `step` used, only if no code of this step or a later one was accepted before. Returns
 * whether it did: one statement, so two requests (or two instances) racing with the same code
 * get exactly one winner.
 */
export async function claimTotpStep(db: Db, deploymentId: string, authenticatorId: string, step: number, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable("totp_authenticators")
    .set({ last_used_step: step, updated_at: nowMs })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", authenticatorId)
    .where("last_used_step", "<", step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Replaces the sealed secret with the same secret sealed under the current encryption key (rotation). */
export async function updateTotpSecretSealed(db: Db, deploymentId: string, authenticatorId: string, secretSealed: string): Promise<void> {
  await db
    .updateTable("totp_authenticators")
    .set({ secret_sealed: secretSealed })
    .where("deployment_id", "=", deploymentId)
    .where("id", "=", authenticatorId)
    .execute();
}

/** Returns whether there was one. */
export async function deleteTotpAuthenticator(db: Db, deploymentId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom("totp_authenticators").where("deployment_id", "=", deploymentId).where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The user's set of backup codes becomes exactly `codes` (call inside a transaction). */
export async function replaceBackupCodes(db: Db, deploymentId: string, userId: string, codes: BackupCodeHash[], nowMs: number): Promise<void> {
  await db.deleteFrom("backup_codes").where("deployment_id", "=", deploymentId).where("user_id", "=", userId).execute();
  if (codes.length === 0) return;
  await db
    .insertInto("backup_codes")
    .values(codes.map((code) => ({ id: code.id, deployment_id: deploymentId, user_id: userId, code_hash: code.codeHash, created_at: nowMs })))
    .execute();
}

export async function listBackupCodeHashes(db: Db, deploymentId: string, userId: string): Promise<BackupCodeHash[]> {
  const rows = await db
    .selectFrom("backup_codes")
    .select(["id", "code_hash"])
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .execute();
  return rows.map((row) => ({ id: row.id, codeHash: row.code_hash }));
}

/** Uses a backup code up; returns false when another request used it first. */
export async function deleteBackupCode(db: Db, deploymentId: string, userId: string, codeId: string): Promise<boolean> {
  const result = await db
    .deleteFrom("backup_codes")
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .where("id", "=", codeId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Many users' authenticators in one statement (bulk import; call inside the import's transaction). */
export async function insertTotpAuthenticators(db: Db, deploymentId: string, authenticators: NewTotpAuthenticator[]): Promise<void> {
  if (authenticators.length === 0) return;
  await db
    .insertInto("totp_authenticators")
    .values(
      authenticators.map((authenticator) => ({
        id: authenticator.id,
        deployment_id: deploymentId,
        user_id: authenticator.userId,
        secret_sealed: authenticator.secretSealed,
        account_name: authenticator.accountName,
        last_used_step: -1,
        created_at: authenticator.createdAt,
        updated_at: authenticator.createdAt,
      })),
    )
    .execute();
}

/** Many users' backup codes in one statement (bulk import; the users have none yet). */
export async function insertBackupCodes(db: Db, deploymentId: string, codes: Array<BackupCodeHash & { userId: string; createdAt: number }>): Promise<void> {
  if (codes.length === 0) return;
  await db
    .insertInto("backup_codes")
    .values(codes.map((code) => ({ id: code.id, deployment_id: deploymentId, user_id: code.userId, code_hash: code.codeHash, created_at: code.createdAt })))
    .execute();
}

/** The confidential read `wacht export --include-second-factors` makes: several users' sealed secrets. */
export async function listTotpSecretsOfUsers(
  db: Db,
  deploymentId: string,
  userIds: string[],
): Promise<Array<{ id: string; userId: string; secretSealed: string }>> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom("totp_authenticators")
    .select(["id", "user_id", "secret_sealed"])
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "in", userIds)
    .execute();
  return rows.map((row) => ({ id: row.id, userId: row.user_id, secretSealed: row.secret_sealed }));
}

export async function listBackupCodeHashesOfUsers(db: Db, deploymentId: string, userIds: string[]): Promise<Array<BackupCodeHash & { userId: string }>> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom("backup_codes")
    .select(["id", "user_id", "code_hash"])
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "in", userIds)
    .orderBy("id")
    .execute();
  return rows.map((row) => ({ id: row.id, userId: row.user_id, codeHash: row.code_hash }));
}
