import { AuthenticationError, AuthorizationError, NotFoundError } from "./classes.js";
import { defineErrors, entry } from "./define.js";

/** Sessions and password sign-in (the frontend API). */
export const sessionsErrors = defineErrors({
  session_not_found: entry(NotFoundError, (userId: string, sessionId: string) => `User '${userId}' has no session '${sessionId}'.`),
  session_invalid: entry(AuthenticationError, () => "No valid session: it is missing, expired or ended. Sign in again."),
  // One answer for "no such user" and "wrong password", so the API cannot be asked who has an account.
  invalid_credentials: entry(AuthenticationError, () => "The identifier or password is incorrect."),
  user_locked: entry(
    AuthorizationError,
    (lockedUntil: number) =>
      `Too many wrong passwords: sign-in is locked until ${new Date(lockedUntil).toISOString()}. Try again then, or ask an administrator to unlock the account.`,
  ),
  user_disabled: entry(AuthorizationError, () => "This account is disabled; ask an administrator to enable it."),
  password_not_set: entry(AuthorizationError, () => "This account has no password; sign in another way, or ask an administrator to set one."),
});
