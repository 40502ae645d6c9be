import { verifyPasskeyAssertion, type PasskeyLog } from "../passkeys/passkeys.service.js";
import type { AuthenticationResponseJSON, RelyingParty } from "../passkeys/webauthn.js";
import type { SessionOrigin } from "../sessions/sessions.service.js";
import type { Db } from "../storage/db.js";
import { completeSignIn, type CompletedSignIn } from "./complete-sign-in.js";
import type { SignInPolicy } from "./sign-in.service.js";

/**
 * A passwordless sign-in with a discoverable passkey: the passkey names the user and proves
 * possession (with user verification), so no password and no second factor are asked for. A
 * lockout does not stop it, and it ends one: the lockout is against guessed passwords, and a
 * passkey cannot be guessed (so someone guessing cannot lock the owner out of it either).
 */
export async function signInWithPasskey(
  db: Db,
  deploymentId: string,
  relyingParty: RelyingParty,
  input: { response: AuthenticationResponseJSON; origin: SessionOrigin },
  policy: SignInPolicy,
  log: PasskeyLog,
): Promise<CompletedSignIn> {
  const { userId } = await verifyPasskeyAssertion(db, deploymentId, relyingParty, input.response, log);
  return completeSignIn(db, deploymentId, userId, input.origin, { lifetimeSeconds: policy.sessionLifetimeSeconds, method: "passkey" });
}
