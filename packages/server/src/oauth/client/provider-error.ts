/**
 * Why a sign-in with a provider failed, as the stable code the browser is sent back with
 * (`redirect_url?error=<code>`). The message is for the log; the provider's own words never
 * reach the browser beyond the code.
 */
export type OauthFailureCode =
  | "access_denied"
  | "provider_error"
  | "provider_unavailable"
  | "provider_misconfigured"
  | "code_rejected"
  | "id_token_invalid"
  | "oauth_state_invalid"
  | "oauth_state_expired"
  | "oauth_state_replayed"
  | "oauth_state_mismatch"
  | "oauth_provider_not_enabled"
  | "oauth_not_signed_in"
  | "oauth_email_not_verified"
  | "oauth_account_email_unverified"
  | "oauth_sign_up_disabled"
  | "oauth_account_linked_elsewhere"
  | "user_disabled"
  | "user_locked";

export class OauthFailure extends Error {
  constructor(
    readonly code: OauthFailureCode,
    message: string,
  ) {
    super(message);
    this.name = "OauthFailure";
  }
}
