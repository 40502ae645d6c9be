import { userNotFound } from "../errors.js";
import { revokeSessions } from "../sessions/sessions.storage.js";
import type { Db } from "../storage/db.js";
import { updateUserRow } from "../users/users.storage.js";
import { hashPassword } from "./hasher.js";
import { checkPassword } from "./policy.js";

export interface UpdatePasswordInput {
  newPassword: string;
  skipPasswordCheck?: boolean;
  /** Defaults to true: whoever knew the old password is signed out. */
  revokeSessions?: boolean;
}

export async function updatePassword(db: Db, deploymentId: string, userId: string, input: UpdatePasswordInput): Promise<void> {
  checkPassword(input.newPassword, "new_password", { skipPolicy: input.skipPasswordCheck === true });
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction().execute(async (trx) => {
    const now = Date.now();
    const found = await updateUserRow(trx, deploymentId, userId, { password_hash: passwordHash, last_password_reset_at: now, updated_at: now });
    if (!found) throw userNotFound(userId);
    if (input.revokeSessions !== false) await revokeSessions(trx, deploymentId, userId, now);
  });
}

/** The user can no longer sign in with a password; sessions already open stay open. */
export async function removePassword(db: Db, deploymentId: string, userId: string): Promise<void> {
  const now = Date.now();
  const found = await updateUserRow(db, deploymentId, userId, { password_hash: null, updated_at: now });
  if (!found) throw userNotFound(userId);
}
