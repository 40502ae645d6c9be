import { recordChange, type ChangeContext } from "../changes/changes.service.js";
import type { Config } from "../config.js";
import { ValidationError, errors } from "../errors.js";
import { normalizeEmail, normalizePhone } from "../identifiers/normalize.js";
import { generateId } from "../ids.js";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "../passwords/hasher.js";
import { startSession, type Session, type SessionOrigin } from "../sessions/sessions.service.js";
import type { Db } from "../storage/db.js";
import {
  findLockedUntil,
  findSignInCandidate,
  foldUsername,
  isUsername,
  lockSignInCandidate,
  recordSignIn,
  setLockedUntil,
  type IdentifierLookup,
  type SignInCandidate,
} from "../users/users.service.js";
import { countSignInFailures, deleteSignInFailures, insertSignInFailure } from "./sign-in.storage.js";
import { requireSecondFactorIfEnrolled, type NeedsSecondFactor } from "./second-factor-gate.js";

export type SignInPolicy = Pick<Config, "sessionLifetimeSeconds" | "signInMaxFailures" | "signInFailureWindowSeconds" | "lockoutSeconds">;

export interface SignInInput {
  identifier: string;
  password: string;
  origin: SessionOrigin;
}

/** How to look an identifier up: an address with "@", a number starting with "+", else a username. Null when it can name no one. */
function lookupFor(identifier: string): IdentifierLookup | null {
  const text = identifier.trim();
  // No stored identifier holds U+0000, and Postgres refuses it in a query parameter.
  if (text.includes("\u0000")) return null;
  try {
    if (text.includes("@")) return { normalizedEmail: normalizeEmail(text).normalized };
    if (text.startsWith("+")) return { phoneNumber: normalizePhone(text).phoneNumber };
  } catch (error) {
    if (error instanceof ValidationError) return null;
    throw error;
  }
  return isUsername(text) ? { normalizedUsername: foldUsername(text) } : null;
}

export type SignInOutcome = { status: "complete"; session: Session; credential: string } | NeedsSecondFactor;

/**
 * Signs a user in with a password and opens a session. Every path that ends in a refusal spends
 * one password verification, so the time taken does not tell an unknown identifier from a wrong
 * password. Attempts are counted before the password is checked, so even concurrent guesses get
 * no more than `signInMaxFailures` tries per window.
 */
export async function signIn(db: Db, deploymentId: string, input: SignInInput, policy: SignInPolicy): Promise<SignInOutcome> {
  const nowMs = Date.now();
  const lookup = lookupFor(input.identifier);
  const candidate = lookup && (await findSignInCandidate(db, deploymentId, lookup));
  if (!candidate) {
    await verifyAgainstDummy(input.password);
    throw errors.invalid_credentials();
  }
  if (candidate.lockedUntil !== null && candidate.lockedUntil > nowMs) {
    await verifyAgainstDummy(input.password);
    throw errors.user_locked(candidate.lockedUntil);
  }
  if (candidate.passwordHash === null) {
    await verifyAgainstDummy(input.password);
    throw errors.password_not_set();
  }

  const attempt = await countAttempt(db, deploymentId, candidate.userId, nowMs, policy);
  if ("lockedUntil" in attempt) {
    await verifyAgainstDummy(input.password);
    throw errors.user_locked(attempt.lockedUntil);
  }
  const { attemptId } = attempt;
  if (!(await verifyPassword(candidate.passwordHash, input.password))) {
    await lockIfTooManyFailures(db, deploymentId, candidate.userId, nowMs, policy);
    throw errors.invalid_credentials();
  }
  // Said only to whoever knows the password, so it reveals nothing to a guesser.
  if (candidate.isDisabled) {
    await deleteSignInFailures(db, deploymentId, candidate.userId, attemptId);
    throw errors.user_disabled();
  }
  // Also said only to whoever knows the password. This attempt stops counting as a failure, but
  // earlier ones stay: the right password must not reset the allowance for guessing codes.
  const secondStep = await requireSecondFactorIfEnrolled(db, deploymentId, { userId: candidate.userId, passwordHash: candidate.passwordHash }, nowMs).finally(() =>
    deleteSignInFailures(db, deploymentId, candidate.userId, attemptId),
  );
  if (secondStep) return secondStep;
  return { status: "complete", ...(await openSession(db, deploymentId, candidate, input, policy)) };
}

/**
 * Records the attempt as a failure until it succeeds. Refused (with the lockout's end) when the
 * window's allowance is used up, or when a concurrent attempt locked the user since it was read.
 */
async function countAttempt(
  db: Db,
  deploymentId: string,
  userId: string,
  nowMs: number,
  policy: SignInPolicy,
): Promise<{ attemptId: string } | { lockedUntil: number }> {
  const windowStartMs = nowMs - policy.signInFailureWindowSeconds * 1000;
  const attemptId = generateId("sif", nowMs);
  await insertSignInFailure(db, deploymentId, { id: attemptId, userId, failedAt: nowMs }, windowStartMs);
  const attempts = await countSignInFailures(db, deploymentId, userId, windowStartMs);
  // Read after the count: a lockout that cleared the failures counted above is seen here, so an
  // attempt counted against the emptied table cannot slip past it.
  const lockedUntil = await findLockedUntil(db, deploymentId, userId);
  if (lockedUntil !== null && lockedUntil > nowMs) return { lockedUntil };
  if (attempts <= policy.signInMaxFailures) return { attemptId };
  await lockOutUser(db, deploymentId, userId, nowMs, policy);
  return { lockedUntil: nowMs + policy.lockoutSeconds * 1000 };
}

async function lockIfTooManyFailures(db: Db, deploymentId: string, userId: string, nowMs: number, policy: SignInPolicy): Promise<void> {
  const failures = await countSignInFailures(db, deploymentId, userId, nowMs - policy.signInFailureWindowSeconds * 1000);
  if (failures >= policy.signInMaxFailures) await lockOutUser(db, deploymentId, userId, nowMs, policy);
}

/** Locks sign-in for the lockout period (the lock is written before the count is cleared); the count starts afresh once it ends. */
async function lockOutUser(db: Db, deploymentId: string, userId: string, nowMs: number, policy: SignInPolicy): Promise<void> {
  await setLockedUntil(db, deploymentId, userId, nowMs + policy.lockoutSeconds * 1000);
  await deleteSignInFailures(db, deploymentId, userId);
}

/**
 * The password was right: in one transaction, with the user's row locked, check nothing changed
 * meanwhile (an admin disabling the user or setting a new password), open the session, record
 * the sign-in and, for a hash in an older format or with older parameters, store our own.
 */
async function openSession(db: Db, deploymentId: string, candidate: SignInCandidate, input: SignInInput, policy: SignInPolicy) {
  const verifiedHash = candidate.passwordHash!;
  const newPasswordHash = needsRehash(verifiedHash) ? await hashPassword(input.password) : null;
  return db.transaction().execute(async (trx) => {
    const current = await lockSignInCandidate(trx, deploymentId, candidate.userId);
    if (!current || current.passwordHash !== verifiedHash) throw errors.invalid_credentials();
    if (current.isDisabled) throw errors.user_disabled();
    const nowMs = Date.now();
    const opened = await startSession(trx, deploymentId, candidate.userId, input.origin, { nowMs, lifetimeSeconds: policy.sessionLifetimeSeconds });
    await recordSignIn(trx, deploymentId, candidate.userId, nowMs, newPasswordHash);
    await deleteSignInFailures(trx, deploymentId, candidate.userId);
    return opened;
  });
}

/**
 * Runs `check` (a password or a second-factor code someone could be guessing) as one attempt
 * counted against the user's failure allowance, exactly as a password sign-in is: refused with
 * `user_locked` while the user is locked out, and a wrong answer that uses up the allowance
 * locks the user. Returns the check's answer.
 */
export async function checkCountingFailures(db: Db, deploymentId: string, userId: string, policy: SignInPolicy, check: () => Promise<boolean>): Promise<boolean> {
  const nowMs = Date.now();
  const lockedUntil = await findLockedUntil(db, deploymentId, userId);
  if (lockedUntil !== null && lockedUntil > nowMs) throw errors.user_locked(lockedUntil);
  const attempt = await countAttempt(db, deploymentId, userId, nowMs, policy);
  if ("lockedUntil" in attempt) throw errors.user_locked(attempt.lockedUntil);
  if (!(await check())) {
    await lockIfTooManyFailures(db, deploymentId, userId, nowMs, policy);
    return false;
  }
  await deleteSignInFailures(db, deploymentId, userId, attempt.attemptId);
  return true;
}

/** Lifts a lockout now (the admin's "unlock"); the failure count starts afresh. */
export async function unlockUser(db: Db, deploymentId: string, context: ChangeContext, userId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await setLockedUntil(trx, deploymentId, userId, null))) throw errors.user_not_found(userId);
    await deleteSignInFailures(trx, deploymentId, userId);
    await recordChange(trx, deploymentId, context, {
      action: "user.unlock",
      target: { type: "user", id: userId },
      changes: ["locked_until"],
      events: [{ type: "user.updated", data: await context.describeUser(trx, deploymentId, userId) }],
    });
  });
}
