import { AuthenticationError, AuthorizationError, NotFoundError, RateLimitError } from "./classes.js";
import { defineErrors, entry } from "./define.js";

/** Sessions and password sign-in (the frontend API). */
export const sessionsErrors = defineErrors({
  session_not_found: entry(NotFoundError, (userId: string, sessionId: string) => `User '${userId}' has no session '${sessionId}'.`),
  session_invalid: entry(AuthenticationError, () => "No valid session: it is missing, expired or ended. Sign in again."),
  // One answer for "no such user" and "wrong password", so the API cannot be asked who has an account.
  invalid_credentials: entry(AuthenticationError, () => "The identifier or password is incorrect."),
  sign_in_throttled: entry(RateLimitError, (retryAfterSeconds: number) => ({
    message: `Too many failed sign-ins from this address for this identifier: retry after ${retryAfterSeconds} s.`,
    retryAfterSeconds,
  })),
  user_disabled: entry(AuthorizationError, () => "This account is disabled; ask an administrator to enable it."),
});
