import { AuthenticationError, AuthorizationError, ConflictError, NotFoundError, UnprocessableError, ValidationError } from "./classes.js";
import { defineErrors, entry, fieldErrors } from "./define.js";

/** TOTP authenticators, backup codes, passkeys, and the second step of a sign-in. */
export const secondFactorsErrors = defineErrors({
  invalid_totp_secret: entry(ValidationError, () => fieldErrors({ secret: "must be base32 (A-Z, 2-7; spaces and '-' allowed) of at least 16 bytes" })),
  invalid_account_name: entry(ValidationError, () => fieldErrors({ account_name: "must not contain ':'" })),
  authenticator_exists: entry(ConflictError, () => "This user already has an active TOTP authenticator; delete it before enrolling another."),
  authenticator_not_found: entry(NotFoundError, (userId: string) => `User '${userId}' has no TOTP authenticator.`),
  password_incorrect: entry(UnprocessableError, () => "The password is incorrect."),
  user_has_no_password: entry(ValidationError, () => fieldErrors({ password: "cannot be verified: this user has no password" })),
  totp_incorrect: entry(UnprocessableError, () => "The code is incorrect, expired or already used."),
  second_factor_not_set: entry(ValidationError, () => fieldErrors({ code: "cannot be verified: this user has no TOTP authenticator and no backup codes" })),
  // Code checks past the password (verify routes, the second sign-in step) lock the account after too many wrong answers.
  user_locked: entry(
    AuthorizationError,
    (lockedUntil: number) =>
      `Too many wrong codes or passwords: this account is locked until ${new Date(lockedUntil).toISOString()}. Try again then, or ask an administrator to unlock it.`,
  ),
  // Sign-in (frontend API).
  sign_in_attempt_invalid: entry(AuthenticationError, () => "This sign-in is unknown, expired (after 10 minutes) or already finished; sign in again."),
  second_factor_incorrect: entry(AuthenticationError, () => "The code is incorrect, expired or already used."),
  second_factor_enrollment_required: entry(
    AuthorizationError,
    () => "This account must sign in with a second factor, and has none yet; ask an administrator to set up an authenticator.",
  ),
  // Passkeys.
  passkey_not_found: entry(NotFoundError, (userId: string, passkeyId: string) => `User '${userId}' has no passkey '${passkeyId}'.`),
  invalid_passkey_name: entry(ValidationError, () => fieldErrors({ name: "must not be empty (after trimming)" })),
  passkey_exists: entry(ConflictError, () => "That passkey is already registered."),
  passkey_registration_failed: entry(ValidationError, (reason: string) =>
    fieldErrors({ response: reason }, `The passkey registration could not be verified: ${reason}`),
  ),
  passkey_verification_failed: entry(AuthenticationError, (reason: string) => `The passkey could not be verified: ${reason}.`),
});
