import type { ChangeContext } from "../changes/changes.service.js";
import type { SecretBox } from "../crypto/secret-box.js";
import { errors } from "../errors.js";
import { verifyPassword } from "../passwords/hasher.js";
import { getSecondFactorState, strategyOfCode, useSecondFactorCode, type SecondFactorStrategy } from "../second-factors/second-factors.service.js";
import type { Db } from "../storage/db.js";
import { findPasswordHash, requireUser } from "../users/users.service.js";
import { checkCountingFailures, type SignInPolicy } from "./sign-in.service.js";

/**
 * An app's backend asks "is this the user's password / code?" (re-authentication before a
 * sensitive action). Each check counts against the user's sign-in failure allowance, so these
 * routes are no way around the lockout for someone guessing.
 */
export async function verifyUserPassword(db: Db, deploymentId: string, userId: string, password: string, policy: SignInPolicy): Promise<void> {
  await requireUser(db, deploymentId, userId);
  const passwordHash = await findPasswordHash(db, deploymentId, userId);
  if (passwordHash === null) throw errors.user_has_no_password();
  if (!(await checkCountingFailures(db, deploymentId, userId, policy, () => verifyPassword(passwordHash, password)))) throw errors.password_incorrect();
}

/** A 6-digit TOTP code or a backup code; either is used up when right (and audited: it changes state). Returns which it was. */
export async function verifyUserSecondFactor(
  db: Db,
  secretBox: SecretBox,
  deploymentId: string,
  context: ChangeContext,
  userId: string,
  code: string,
  policy: SignInPolicy,
): Promise<SecondFactorStrategy> {
  await requireUser(db, deploymentId, userId);
  const state = await getSecondFactorState(db, deploymentId, userId);
  if (!state.totpEnabled && !state.hasBackupCodes) throw errors.second_factor_not_set();
  const strategy = strategyOfCode(code);
  const isRight = await checkCountingFailures(db, deploymentId, userId, policy, () =>
    useSecondFactorCode(db, secretBox, deploymentId, context, userId, strategy, code),
  );
  if (!isRight) throw errors.totp_incorrect();
  return strategy;
}
