import { recordChange, type ChangeContext } from "../changes/changes.service.js";
import type { Config } from "../config.js";
import { ValidationError, errors } from "../errors.js";
import { normalizeEmail, normalizePhone } from "../identifiers/normalize.js";
import { generateId } from "../ids.js";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "../passwords/hasher.js";
import { sha256Hex } from "../secrets.js";
import { hasSignedInFrom, startSession, type Session, type SessionOrigin } from "../sessions/sessions.service.js";
import type { Db } from "../storage/db.js";
import {
  findLockedUntil,
  findSignInCandidate,
  foldUsername,
  isUsername,
  lockSignInCandidate,
  patchUser,
  recordSignIn,
  setLockedUntil,
  type IdentifierLookup,
} from "../users/users.service.js";
import { requireSecondFactorIfEnrolled, type NeedsSecondFactor } from "./second-factor-gate.js";
import { countAccountFailures, deleteAttemptFailures, findPairFailures, insertAttemptFailure } from "./sign-in.storage.js";

export type SignInPolicy = Pick<
  Config,
  "sessionLifetimeSeconds" | "signInMaxFailures" | "signInFreeAttempts" | "signInAccountMaxFailures" | "signInFailureWindowSeconds" | "lockoutSeconds"
>;

export interface SignInInput {
  identifier: string;
  password: string;
  origin: SessionOrigin;
  /** Whom per-address counts are kept for: clientAddressKeyOf(request) (an IPv4 address or an IPv6 /64). */
  addressKey: string;
}

/** A user whose password was right: what openSession needs. Not yet signed in (a second factor may come between). */
export interface VerifiedSignIn {
  userId: string;
  /** The hash the password was checked against: the session opens only if it is still the stored one. */
  verifiedPasswordHash: string;
  /** Kept to store our own hash when the verified one is imported or outdated. */
  password: string;
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

/** Failures of an identifier no user has are counted under a key of their own, exactly like an account's. */
function unknownAccountKey(lookup: IdentifierLookup | null, identifier: string): string {
  const canonical = lookup ? Object.values(lookup)[0]! : identifier.trim().toLowerCase();
  return `idf:${sha256Hex(canonical)}`;
}

export type SignInOutcome = { status: "complete"; session: Session; credential: string } | NeedsSecondFactor;

/**
 * Signs a user in with a password: verifyPasswordSignIn, then openSession. Flows that add a
 * step (a second factor) call the two themselves, with the step between them.
 */
export async function signIn(db: Db, deploymentId: string, input: SignInInput, policy: SignInPolicy): Promise<SignInOutcome> {
  const verified = await verifyPasswordSignIn(db, deploymentId, input, policy);
  const newPasswordHash = needsRehash(verified.verifiedPasswordHash) ? await hashPassword(verified.password) : null;
  // Said only to whoever knows the password: a user with a second factor must send it next.
  const secondStep = await requireSecondFactorAfterPassword(db, deploymentId, verified, newPasswordHash);
  if (secondStep) return secondStep;
  return { status: "complete", ...(await openSession(db, deploymentId, verified, input.origin, policy, newPasswordHash)) };
}

/**
 * The second-factor gate after a right password. The second step carries no password, so an
 * imported or outdated hash is replaced by our own here: with the user's row locked, only if the
 * verified hash is still the stored one, and in the transaction that stores the pending sign-in,
 * which remembers the new hash (the upgrade must not void it). The same password keeps working,
 * so upgrading before the second factor is proven gives nothing away.
 */
async function requireSecondFactorAfterPassword(
  db: Db,
  deploymentId: string,
  verified: VerifiedSignIn,
  newPasswordHash: string | null,
): Promise<NeedsSecondFactor | null> {
  const gate = (trx: Db, passwordHash: string) =>
    requireSecondFactorIfEnrolled(trx, deploymentId, { userId: verified.userId, firstFactor: { method: "password", passwordHash } }, Date.now());
  if (newPasswordHash === null) return gate(db, verified.verifiedPasswordHash);
  return db.transaction().execute(async (trx) => {
    const current = await lockSignInCandidate(trx, deploymentId, verified.userId);
    if (!current || current.passwordHash !== verified.verifiedPasswordHash) throw errors.invalid_credentials();
    const pending = await gate(trx, newPasswordHash);
    if (pending) await patchUser(trx, deploymentId, verified.userId, { passwordHash: newPasswordHash });
    return pending;
  });
}

/**
 * Checks an identifier and password, and answers who it is — or throws. Every refusal is the same
 * 401 `invalid_credentials` (unknown identifier, wrong password, no password, an account locked
 * against this address) after the same work (one password verification, the same queries), so
 * neither the answer nor its timing tells who has an account. Only the right password learns
 * more (`user_disabled`). Limits (docs/security.md):
 * - per account and address: after `signInFreeAttempts` failures the address waits (1 s, doubling)
 *   before its next try; after `signInMaxFailures` in the window it is shut out of that account for
 *   `lockoutSeconds` (429 `sign_in_throttled`). Other addresses, the owner's among them, are not;
 * - per account from every address: after `signInAccountMaxFailures` the account is locked
 *   (users.locked_until) for addresses that never signed in to it.
 */
export async function verifyPasswordSignIn(db: Db, deploymentId: string, input: SignInInput, policy: SignInPolicy): Promise<VerifiedSignIn> {
  const nowMs = Date.now();
  const lookup = lookupFor(input.identifier);
  const candidate = lookup && (await findSignInCandidate(db, deploymentId, lookup));
  const accountKey = candidate?.userId ?? unknownAccountKey(lookup, input.identifier);
  await beginAttempt(db, deploymentId, accountKey, input.addressKey, nowMs, policy);

  const isLockedHere =
    candidate !== null &&
    candidate.lockedUntil !== null &&
    candidate.lockedUntil > nowMs &&
    !(await hasSignedInFrom(db, deploymentId, candidate.userId, input.origin.ipAddress));
  const hash = candidate && !isLockedHere ? candidate.passwordHash : null;
  let passwordIsRight = false;
  if (hash === null) await verifyAgainstDummy(input.password);
  else passwordIsRight = await verifyPassword(hash, input.password);

  if (!passwordIsRight || !candidate || hash === null) {
    await lockIfUnderAttack(db, deploymentId, accountKey, candidate?.userId ?? null, nowMs, policy);
    throw errors.invalid_credentials();
  }
  // The right password: this address starts afresh on this account.
  await deleteAttemptFailures(db, deploymentId, accountKey, { addressKey: input.addressKey });
  // Said only to whoever knows the password, so it reveals nothing to a guesser.
  if (candidate.isDisabled) throw errors.user_disabled();
  return { userId: candidate.userId, verifiedPasswordHash: hash, password: input.password };
}

/**
 * Counts the attempt as a failure before the password is checked (it is forgotten if the password
 * is right), so concurrent guesses cannot slip past the count. Throws 429 while the address must
 * wait: its progressive delay, or the shut-out after too many failures.
 */
async function beginAttempt(db: Db, deploymentId: string, accountKey: string, addressKey: string, nowMs: number, policy: SignInPolicy): Promise<void> {
  const windowStartMs = nowMs - policy.signInFailureWindowSeconds * 1000;
  const prior = await findPairFailures(db, deploymentId, accountKey, addressKey, windowStartMs);
  const allowedAtMs = nextAttemptAllowedAt(prior, policy);
  if (nowMs < allowedAtMs) throw errors.sign_in_throttled(Math.max(1, Math.ceil((allowedAtMs - nowMs) / 1000)));
  const attemptId = generateId("sif", nowMs);
  await insertAttemptFailure(db, deploymentId, { id: attemptId, accountKey, addressKey, failedAt: nowMs }, windowStartMs);
  // A burst of concurrent attempts all read the same prior count; the recount lets only the allowance through.
  const counted = await findPairFailures(db, deploymentId, accountKey, addressKey, windowStartMs);
  if (counted.count > policy.signInMaxFailures) {
    await deleteAttemptFailures(db, deploymentId, accountKey, { id: attemptId });
    throw errors.sign_in_throttled(policy.lockoutSeconds);
  }
}

/** When an address with these failures on an account may try again (0: now). */
export function nextAttemptAllowedAt(failures: { count: number; lastFailedAt: number | null }, policy: SignInPolicy): number {
  if (failures.lastFailedAt === null || failures.count < policy.signInFreeAttempts) return 0;
  const lockoutMs = policy.lockoutSeconds * 1000;
  if (failures.count >= policy.signInMaxFailures) return failures.lastFailedAt + lockoutMs;
  return failures.lastFailedAt + Math.min(1000 * 2 ** (failures.count - policy.signInFreeAttempts), lockoutMs);
}

/** Many failures on one account from many addresses: lock it for addresses that never signed in to it. The same count runs for unknown identifiers. */
async function lockIfUnderAttack(db: Db, deploymentId: string, accountKey: string, userId: string | null, nowMs: number, policy: SignInPolicy): Promise<void> {
  const failures = await countAccountFailures(db, deploymentId, accountKey, nowMs - policy.signInFailureWindowSeconds * 1000);
  if (failures >= policy.signInAccountMaxFailures && userId !== null) await setLockedUntil(db, deploymentId, userId, nowMs + policy.lockoutSeconds * 1000);
}

/**
 * Opens a session for a user who proved who they are. In one transaction, with the user's row
 * locked, checks nothing changed meanwhile (an admin disabling the user or, for a password
 * sign-in, setting a new password), opens the session, records the sign-in and stores
 * `newPasswordHash` (our own hash of the verified password, when the stored one is in an older
 * format or has older parameters). Flows that prove identity otherwise (OAuth) pass `{ userId }` alone.
 */
export async function openSession(
  db: Db,
  deploymentId: string,
  verified: { userId: string } | VerifiedSignIn,
  origin: SessionOrigin,
  policy: Pick<SignInPolicy, "sessionLifetimeSeconds">,
  newPasswordHash: string | null = null,
): Promise<{ session: Session; credential: string }> {
  const byPassword = "verifiedPasswordHash" in verified ? verified : null;
  return db.transaction().execute(async (trx) => {
    const current = await lockSignInCandidate(trx, deploymentId, verified.userId);
    if (!current || (byPassword && current.passwordHash !== byPassword.verifiedPasswordHash)) throw errors.invalid_credentials();
    if (current.isDisabled) throw errors.user_disabled();
    const nowMs = Date.now();
    const opened = await startSession(trx, deploymentId, verified.userId, origin, { nowMs, lifetimeSeconds: policy.sessionLifetimeSeconds });
    await recordSignIn(trx, deploymentId, verified.userId, nowMs, newPasswordHash);
    return opened;
  });
}

/** Code checks of a user (admin verify routes, the second sign-in step) are counted under this address key. */
const CODE_CHECKS_ADDRESS_KEY = "code-checks";

/**
 * Runs `check` (a password or a second-factor code someone could be guessing) as one attempt
 * counted against the user's allowance: refused with `user_locked` while the account is locked;
 * `signInMaxFailures` wrong answers within the window lock it. Only whoever already got past the
 * password (or holds an API key) reaches this, so saying "locked" tells a guesser nothing.
 */
export async function checkCountingFailures(
  db: Db,
  deploymentId: string,
  userId: string,
  policy: SignInPolicy,
  check: () => Promise<boolean>,
): Promise<boolean> {
  const nowMs = Date.now();
  const lockedUntil = await findLockedUntil(db, deploymentId, userId);
  if (lockedUntil !== null && lockedUntil > nowMs) throw errors.user_locked(lockedUntil);
  const windowStartMs = nowMs - policy.signInFailureWindowSeconds * 1000;
  const attemptId = generateId("sif", nowMs);
  await insertAttemptFailure(db, deploymentId, { id: attemptId, accountKey: userId, addressKey: CODE_CHECKS_ADDRESS_KEY, failedAt: nowMs }, windowStartMs);
  // Counted before the check, so concurrent guesses cannot all slip under the allowance.
  const { count } = await findPairFailures(db, deploymentId, userId, CODE_CHECKS_ADDRESS_KEY, windowStartMs);
  const lockUntilMs = nowMs + policy.lockoutSeconds * 1000;
  if (count > policy.signInMaxFailures) {
    await setLockedUntil(db, deploymentId, userId, lockUntilMs);
    await deleteAttemptFailures(db, deploymentId, userId, { addressKey: CODE_CHECKS_ADDRESS_KEY });
    throw errors.user_locked(lockUntilMs);
  }
  if (!(await check())) {
    if (count >= policy.signInMaxFailures) {
      await setLockedUntil(db, deploymentId, userId, lockUntilMs);
      await deleteAttemptFailures(db, deploymentId, userId, { addressKey: CODE_CHECKS_ADDRESS_KEY });
    }
    return false;
  }
  await deleteAttemptFailures(db, deploymentId, userId, { id: attemptId });
  return true;
}

/** Lifts a lockout now (the admin's "unlock"); every failure count of the account starts afresh. */
export async function unlockUser(db: Db, deploymentId: string, context: ChangeContext, userId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await setLockedUntil(trx, deploymentId, userId, null))) throw errors.user_not_found(userId);
    await deleteAttemptFailures(trx, deploymentId, userId);
    await recordChange(trx, deploymentId, context, {
      action: "user.unlock",
      target: { type: "user", id: userId },
      changes: ["locked_until"],
      events: [{ type: "user.updated", data: await context.describeUser(trx, deploymentId, userId) }],
    });
  });
}
