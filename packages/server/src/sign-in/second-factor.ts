import type { EndUserContext } from "../changes/changes.service.js";
import type { SecretBox } from "../crypto/secret-box.js";
import { errors } from "../errors.js";
import { useSecondFactorCode, type SecondFactorStrategy } from "../second-factors/second-factors.service.js";
import type { SessionOrigin, SignInMethod } from "../sessions/sessions.service.js";
import type { Db } from "../storage/db.js";
import { completeSignIn, type CompletedSignIn } from "./complete-sign-in.js";
import { deletePendingSignIn, findPendingSignIn, type PendingFirstFactor } from "./pending-sign-ins.storage.js";
import { digestOfPasswordHash, hashSignInId } from "./second-factor-gate.js";
import { checkCountingFailures, type SignInPolicy } from "./sign-in.service.js";

/** A social sign-in keeps its provider's method (the wire's `oauth_<provider>`), whichever code followed it. */
function sessionMethodOf(firstFactor: PendingFirstFactor, strategy: SecondFactorStrategy): SignInMethod {
  if (firstFactor.method !== "password") return firstFactor.method;
  return strategy === "totp" ? "password+totp" : "password+backup_code";
}

export interface SecondFactorInput {
  signInId: string;
  strategy: SecondFactorStrategy;
  code: string;
  origin: SessionOrigin;
  /** The details document of the user signing in, for the user.updated of their last backup code (http/change-context.ts). */
  describeUser: EndUserContext["describeUser"];
}

/**
 * The second step of a password or social sign-in: the code finishes the pending sign-in with a
 * session, recorded with how the first step was made (`password+totp`, or `oauth_<provider>`).
 * A wrong code counts as a failed sign-in (the same allowance as wrong passwords) and leaves the
 * pending sign-in open for another try; a right one uses the code up, and the pending sign-in
 * is claimed in the session's transaction, so it completes once.
 */
export async function signInWithSecondFactor(
  db: Db,
  secretBox: SecretBox,
  deploymentId: string,
  input: SecondFactorInput,
  policy: SignInPolicy,
): Promise<CompletedSignIn> {
  const idHash = hashSignInId(input.signInId);
  const pending = await findPendingSignIn(db, deploymentId, idHash, Date.now());
  if (!pending) throw errors.sign_in_attempt_invalid();
  const isRight = await checkCountingFailures(db, deploymentId, pending.userId, policy, () =>
    useSecondFactorCode(
      db,
      secretBox,
      deploymentId,
      { endUserId: pending.userId, describeUser: input.describeUser },
      pending.userId,
      input.strategy,
      input.code,
    ),
  );
  if (!isRight) throw errors.second_factor_incorrect();
  return completeSignIn(db, deploymentId, pending.userId, input.origin, {
    lifetimeSeconds: policy.sessionLifetimeSeconds,
    method: sessionMethodOf(pending.firstFactor, input.strategy),
    beforeSession: async (trx, current) => {
      if (!(await deletePendingSignIn(trx, deploymentId, idHash, Date.now()))) throw errors.sign_in_attempt_invalid();
      const { firstFactor } = pending;
      // A password changed (or removed) since the first step: whoever knew the old one starts over.
      // (A provider's connection unlinked meanwhile took its pending sign-ins with it: ON DELETE CASCADE.)
      if (firstFactor.method === "password" && (current.passwordHash === null || digestOfPasswordHash(current.passwordHash) !== firstFactor.passwordHashDigest))
        throw errors.sign_in_attempt_invalid();
    },
  });
}
