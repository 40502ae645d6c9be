import { recordChange, type ChangeContext } from "../changes/changes.service.js";
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

export async function updatePassword(db: Db, deploymentId: string, context: ChangeContext, userId: string, input: UpdatePasswordInput): Promise<void> {
  checkPassword(input.newPassword, "new_password", { skipPolicy: input.skipPasswordCheck === true });
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction().execute(async (trx) => {
    const now = Date.now();
    await patchUser(trx, deploymentId, userId, { passwordHash, lastPasswordResetAt: now, updatedAt: now });
    if (input.revokeSessions !== false) await revokeSessionsOfUser(trx, deploymentId, userId, now);
    await recordPasswordChange(trx, deploymentId, context, userId, "password.update");
  });
}

/** The event carries the user's details document: `has_password` and `last_password_reset_at` say what changed (never the hash). */
async function recordPasswordChange(trx: Db, deploymentId: string, context: ChangeContext, userId: string, action: string): Promise<void> {
  await recordChange(trx, deploymentId, context, {
    action,
    target: { type: "user", id: userId },
    changes: ["password"],
    events: [{ type: "password.updated", data: await context.describeUser(trx, deploymentId, userId) }],
  });
}

/** The user can no longer sign in with a password; sessions already open stay open. */
export async function removePassword(db: Db, deploymentId: string, context: ChangeContext, userId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await patchUser(trx, deploymentId, userId, { passwordHash: null, updatedAt: Date.now() });
    await recordPasswordChange(trx, deploymentId, context, userId, "password.remove");
  });
}
