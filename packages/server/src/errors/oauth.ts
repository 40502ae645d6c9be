import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from "./classes.js";
import { conflictOn, defineErrors, entry, fieldErrors } from "./define.js";

/**
 * Social sign-in: provider configuration (Backend API) and the flow's JSON answers. The codes a
 * sign-in ends on `redirect_url?error=<code>` with are not envelope codes: they are listed in
 * oauth/client/provider-error.ts.
 */
export const oauthErrors = defineErrors({
  oauth_provider_not_found: entry(NotFoundError, (provider: string) => `No OAuth provider '${provider}' is configured.`),
  oauth_provider_exists: entry(ConflictError, (provider: string) =>
    conflictOn("provider", `OAuth provider '${provider}' is already configured; change it with PATCH /oauth-providers/${provider}.`),
  ),
  invalid_oauth_provider: entry(ValidationError, (rule: string) => fieldErrors({ provider: rule })),
  redirect_url_not_allowed: entry(ValidationError, () =>
    fieldErrors(
      { redirect_url: "must be one of the deployment's allowed redirect URLs" },
      "redirect_url: must be one of the deployment's allowed redirect URLs (PATCH /oauth-settings redirect_urls); origin and path must match exactly.",
    ),
  ),
  oauth_state_invalid: entry(ValidationError, () =>
    fieldErrors({ state: "unknown or expired" }, "state: unknown or expired sign-in state; start the sign-in again."),
  ),
  last_sign_in_method: entry(ConflictError, () => "This is your last way to sign in: set a password or link another provider before unlinking it."),
  oauth_tokens_not_found: entry(NotFoundError, () => "This connection has no provider tokens: it was not made by a social sign-in."),
  oauth_token_expired: entry(
    ConflictError,
    () => "The provider's access token has expired and there is no refresh token: the user must sign in with the provider again.",
  ),
  oauth_refresh_rejected: entry(ConflictError, () => "The provider refused the refresh token: the user must sign in with the provider again."),
  oauth_provider_disabled: entry(
    ConflictError,
    (provider: string) => `Provider '${provider}' is not configured or not enabled, so its token cannot be refreshed.`,
  ),
  provider_unavailable: entry(ServiceUnavailableError, (reason: string) => `The provider could not refresh the token: ${reason}`),
});
