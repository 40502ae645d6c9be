import { AuthenticationError, AuthorizationError, NotFoundError, ServiceUnavailableError } from "./classes.js";
import { defineErrors, entry } from "./define.js";

/** The admin console's server side (sign-in with a key, its cookie session, its static files). */
export const consoleErrors = defineErrors({
  console_not_built: entry(ServiceUnavailableError, () => "The console has not been built: run 'npm run build -w @wacht/console' (npm ci does it)."),
  console_asset_not_found: entry(NotFoundError, () => "No such console asset."),
  console_session_invalid: entry(AuthenticationError, () => "The console is not signed in."),
  csrf_failed: entry(AuthorizationError, (why: string) => `Refused: this console request looks forged (${why}). Reload the console.`),
});
