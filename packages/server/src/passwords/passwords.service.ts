import { revokeSessionsOfUser } from "../sessions/sessions.service.js";
import type { Db } from "../storage/db.js";
import { patchUser } from "../users/users.service.js";
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
    await patchUser(trx, deploymentId, userId, { passwordHash, lastPasswordResetAt: now, updatedAt: now });
    if (input.revokeSessions !== false) await revokeSessionsOfUser(trx, deploymentId, userId, now);
  });
}

/** The user can no longer sign in with a password; sessions already open stay open. */
export async function removePassword(db: Db, deploymentId: string, userId: string): Promise<void> {
  const now = Date.now();
  await patchUser(db, deploymentId, userId, { passwordHash: null, updatedAt: now });
}
