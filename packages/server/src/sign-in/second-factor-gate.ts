import { errors } from "../errors.js";
import { randomBase32 } from "../ids.js";
import { sha256Hex } from "../secrets.js";
import { getSecondFactorState, type SecondFactorStrategy } from "../second-factors/second-factors.service.js";
import type { Db } from "../storage/db.js";
import { getUser } from "../users/users.service.js";
import { insertPendingSignIn } from "./pending-sign-ins.storage.js";

/** How long a client has to send the second factor after the password was right. */
export const PENDING_SIGN_IN_LIFETIME_MS = 10 * 60 * 1000;

export interface NeedsSecondFactor {
  status: "needs_second_factor";
  /** The secret that lets the client finish this sign-in; stored only as its SHA-256. */
  signInId: string;
  supportedSecondFactors: SecondFactorStrategy[];
}

/** `sia_` + 32 base32 characters (160 random bits): unguessable, so a fast hash suits it. */
const createSignInId = () => `sia_${randomBase32(32)}`;
export const hashSignInId = (signInId: string) => sha256Hex(signInId);
/** What a pending sign-in remembers of the password it verified: enough to notice a change, nothing to crack. */
export const digestOfPasswordHash = (passwordHash: string) => sha256Hex(passwordHash);

/** What the first step proved: the password (checked against this hash), or a provider's sign-in through this connection. */
export type VerifiedFirstFactor = { method: "password"; passwordHash: string } | { method: `oauth_${string}`; connectionId: string };

/**
 * Called once the first factor was right (a password, or a provider's sign-in). A user with an
 * authenticator or backup codes must send one of them next: a pending sign-in is stored and
 * returned instead of a session. A user whose policy is "enforced" and who has no second factor
 * is refused. Null: the first factor is enough. `db` may be the caller's transaction.
 */
export async function requireSecondFactorIfEnrolled(
  db: Db,
  deploymentId: string,
  verified: { userId: string; firstFactor: VerifiedFirstFactor },
  nowMs: number,
): Promise<NeedsSecondFactor | null> {
  const { userId, firstFactor } = verified;
  const [state, user] = await Promise.all([getSecondFactorState(db, deploymentId, userId), getUser(db, deploymentId, userId)]);
  const supported: SecondFactorStrategy[] = [];
  if (state.totpEnabled) supported.push("totp");
  if (state.hasBackupCodes) supported.push("backup_code");
  if (supported.length === 0) {
    if (user.secondFactorPolicy === "enforced") throw errors.second_factor_enrollment_required();
    return null;
  }
  const signInId = createSignInId();
  await insertPendingSignIn(db, deploymentId, {
    idHash: hashSignInId(signInId),
    userId,
    firstFactor:
      firstFactor.method === "password"
        ? { method: "password", passwordHashDigest: digestOfPasswordHash(firstFactor.passwordHash) }
        : { method: firstFactor.method, connectionId: firstFactor.connectionId },
    createdAt: nowMs,
    expiresAt: nowMs + PENDING_SIGN_IN_LIFETIME_MS,
  });
  return { status: "needs_second_factor", signInId, supportedSecondFactors: supported };
}
