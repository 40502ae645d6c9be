import { errors } from "../errors.js";
import { startSession, type Session, type SessionOrigin, type SignInMethod } from "../sessions/sessions.service.js";
import type { Db } from "../storage/db.js";
import { lockSignInCandidate, recordSignIn, type SignInCandidate } from "../users/users.service.js";
import { deleteAttemptFailures } from "./sign-in.storage.js";

export interface CompletedSignIn {
  session: Session;
  credential: string;
}

/**
 * Every factor is verified: in one transaction, with the user's row locked, check the user may
 * still sign in, open the session (recording how the user signed in) and record the sign-in.
 * `beforeSession` runs inside the transaction first, with the locked user, for what must be
 * claimed with the session or not at all (the pending sign-in). Used by the second-factor and passkey sign-ins; the
 * one-step password sign-in has its own (it also rehashes the password; a two-step one
 * rehashes at its first step, sign-in.service.ts).
 */
export async function completeSignIn(
  db: Db,
  deploymentId: string,
  userId: string,
  origin: SessionOrigin,
  options: { lifetimeSeconds: number; method: SignInMethod; beforeSession?: (trx: Db, current: SignInCandidate) => Promise<void> },
): Promise<CompletedSignIn> {
  return db.transaction().execute(async (trx) => {
    const current = await lockSignInCandidate(trx, deploymentId, userId);
    if (!current) throw errors.invalid_credentials();
    if (current.isDisabled) throw errors.user_disabled();
    await options.beforeSession?.(trx, current);
    const nowMs = Date.now();
    const opened = await startSession(trx, deploymentId, userId, origin, { nowMs, lifetimeSeconds: options.lifetimeSeconds }, options.method);
    await recordSignIn(trx, deploymentId, userId, nowMs, null);
    // Every factor was right: the account's failure counts start afresh.
    await deleteAttemptFailures(trx, deploymentId, userId);
    return opened;
  });
}
