/**
 * The Kysely `Database` interface: one row type per table. Row types stay inside storage;
 * services see the domain objects the *.storage.ts mappers build from them.
 * Times are epoch milliseconds in both dialects (BIGINT), so ordering and arithmetic are the same
 * everywhere; booleans are 0/1 on SQLite and true/false on Postgres (mappers use Boolean()).
 */
export type Bool = boolean | number;

export interface DeploymentRow {
  id: string;
  name: string;
  is_default: Bool;
  created_at: number;
  /** The origin its frontend API answers on (null: the default deployment answers on the server's own URL). */
  frontend_api_url: string | null;
  /** That URL's host, lower-case: the unique key requests are matched on. */
  frontend_api_host: string | null;
  /** The URL a server last listened on, for the default deployment without a configured URL. */
  last_listening_url: string | null;
}

export interface ApiKeyRow {
  id: string;
  deployment_id: string;
  name: string;
  /** First 16 hex characters of the key's SHA-256: the index we look a presented key up by. */
  lookup_hash: string;
  secret_hash: string;
  /** The first characters of the key, so a person can tell keys apart without seeing them. */
  display_prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface UserRow {
  id: string;
  deployment_id: string;
  first_name: string;
  last_name: string;
  username: string | null;
  username_normalized: string | null;
  password_hash: string | null;
  last_password_reset_at: number | null;
  disabled: Bool;
  second_factor_policy: string;
  public_metadata: string;
  private_metadata: string;
  // Derived from the identifier tables by refreshUserDerivedColumns(): lists and sorts read one row.
  primary_email_address_id: string | null;
  primary_email_address: string | null;
  primary_phone_number_id: string | null;
  primary_phone_number: string | null;
  search_text: string;
  profile_image_id: string | null;
  created_at: number;
  updated_at: number;
  last_sign_in_at: number | null;
  /** Set when too many wrong passwords arrived; sign-in is refused until then. */
  locked_until: number | null;
  /** The user's id in another system (migration 0008); unique per deployment. */
  external_id: string | null;
}

export interface UserEmailRow {
  id: string;
  deployment_id: string;
  user_id: string;
  email: string;
  email_normalized: string;
  is_primary: Bool;
  verified: Bool;
  verified_at: number | null;
  verification_strategy: string;
  created_at: number;
  updated_at: number;
}

export interface UserPhoneRow {
  id: string;
  deployment_id: string;
  user_id: string;
  phone_number: string;
  country_code: string;
  is_primary: Bool;
  verified: Bool;
  verified_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface SocialConnectionRow {
  id: string;
  deployment_id: string;
  user_id: string;
  user_email_address_id: string | null;
  provider: string;
  provider_user_id: string;
  email_address: string | null;
  created_at: number;
  updated_at: number;
}

export interface SessionRow {
  id: string;
  deployment_id: string;
  user_id: string;
  secret_hash: string;
  created_at: number;
  updated_at: number;
  last_active_at: number;
  expires_at: number;
  revoked_at: number | null;
  ip_address: string | null;
  user_agent: string | null;
  browser: string | null;
  device: string | null;
  /** How the user signed in: password, password+totp, password+backup_code or passkey. */
  sign_in_method: string;
}

export interface ProfileImageRow {
  id: string;
  deployment_id: string;
  user_id: string;
  content_type: string;
  bytes: Buffer;
  created_at: number;
}

export interface SignInAttemptFailureRow {
  id: string;
  deployment_id: string;
  /** A user id, or "idf:" + SHA-256 of an identifier no user has. */
  account_key: string;
  /** An IPv4 address or an IPv6 /64. */
  address_key: string;
  failed_at: number;
}

export interface SigningKeyRow {
  id: string;
  deployment_id: string;
  algorithm: string;
  /** JSON of the public JWK; the only part that is ever published. */
  public_jwk: string;
  /** JSON of the private JWK; read only to sign, never returned or logged. */
  private_jwk: string;
  created_at: number;
  /** Set when a newer key took over signing; the key stays published until its tokens expire. */
  retired_at: number | null;
}

export interface IdempotencyKeyRow {
  deployment_id: string;
  idempotency_key: string;
  request_fingerprint: string;
  /** null while the first request with this key is still running. */
  response_status: number | null;
  response_body: string | null;
  created_at: number;
}

/** Maintained by triggers on users (migration 0004); never written by the application. */
export interface DeploymentUserCountRow {
  deployment_id: string;
  user_count: number;
}

/** An admin console session: opened with an API key (or a one-time link), ends with it. */
export interface ConsoleSessionRow {
  id: string;
  deployment_id: string;
  api_key_id: string;
  secret_hash: string;
  created_at: number;
  last_active_at: number;
  /** Idle expiry: moved forward as the console is used. */
  expires_at: number;
  revoked_at: number | null;
}

/** A one-time console sign-in link printed by `wacht console-link`; only its secret's hash is kept. */
export interface ConsoleLoginTokenRow {
  id: string;
  deployment_id: string;
  api_key_id: string;
  secret_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface WebhookAppRow {
  id: string;
  deployment_id: string;
  app_slug: string;
  name: string;
  description: string | null;
  /** JSON array of addresses. */
  failure_notification_emails: string;
  event_catalog_slug: string | null;
  is_active: Bool;
  /** `whsec_…`, sealed with the secret box (context "webhook_apps.signing_secret:<id>"). */
  signing_secret_sealed: string;
  previous_signing_secret_sealed: string | null;
  previous_signing_secret_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookEndpointRow {
  id: string;
  deployment_id: string;
  app_id: string;
  url: string;
  description: string | null;
  /** JSON object of custom request headers. */
  headers: string;
  is_active: Bool;
  max_retries: number;
  timeout_seconds: number;
  rate_limit_config: string | null;
  failure_count: number;
  failing_since: number | null;
  last_failure_at: number | null;
  auto_disabled: Bool;
  auto_disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookSubscriptionRow {
  deployment_id: string;
  endpoint_id: string;
  event_name: string;
}

export interface WebhookEventRow {
  id: string;
  deployment_id: string;
  app_id: string | null;
  event_type: string;
  payload: string;
  created_at: number;
}

export interface WebhookDeliveryRow {
  id: string;
  deployment_id: string;
  app_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempt_count: number;
  max_attempts: number;
  next_attempt_at: number | null;
  lease_token: string | null;
  last_status_code: number | null;
  last_response_time_ms: number | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
}

export interface WebhookDeliveryAttemptRow {
  id: string;
  deployment_id: string;
  delivery_id: string;
  attempt_number: number;
  succeeded: Bool;
  status_code: number | null;
  duration_ms: number;
  response_body: string | null;
  response_headers: string | null;
  error: string | null;
  attempted_at: number;
}

export interface WebhookReplayTaskRow {
  id: string;
  deployment_id: string;
  app_id: string;
  idempotency_key: string | null;
  status: string;
  criteria: string;
  total_count: number;
  processed: number;
  replayed_count: number;
  failed_count: number;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
}

export interface AuditLogEntryRow {
  id: string;
  deployment_id: string;
  created_at: number;
  actor_type: string;
  actor_id: string;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string;
  user_id: string | null;
  request_id: string | null;
  ip_address: string | null;
  /** JSON array of field names. */
  changes: string;
}

export interface TotpAuthenticatorRow {
  id: string;
  deployment_id: string;
  user_id: string;
  /** Sealed with the server's encryption key (context "totp_secret:<id>"); opened only to check a code. */
  secret_sealed: string;
  account_name: string;
  /** The newest time step a code was accepted for (-1: none yet). */
  last_used_step: number;
  created_at: number;
  updated_at: number;
}

export interface BackupCodeRow {
  id: string;
  deployment_id: string;
  user_id: string;
  /** argon2id of the code; the code itself is shown once and never stored. */
  code_hash: string;
  created_at: number;
}

export interface PasskeyRow {
  id: string;
  deployment_id: string;
  user_id: string;
  /** base64url; with public_key and aaguid, never leaves the server. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  aaguid: string;
  name: string;
  sign_count: number;
  /** JSON array of transport names. */
  transports: string;
  device_type: string;
  backed_up: Bool;
  last_used_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebauthnChallengeRow {
  id: string;
  deployment_id: string;
  /** The user registering a passkey; null for a sign-in, where the passkey names the user. */
  user_id: string | null;
  purpose: string;
  challenge: string;
  expires_at: number;
  created_at: number;
}

export interface PendingSignInRow {
  /** SHA-256 (hex) of the sign_in_id the client holds. */
  id_hash: string;
  deployment_id: string;
  user_id: string;
  /** SHA-256 of the password hash the first step verified: a password changed since ends the sign-in. */
  password_hash_digest: string;
  /** How the first step proved the user: 'password' or 'oauth_<provider>' (0015). */
  first_factor: string;
  /** The connection a social first step went through; deleting it ends the pending sign-in. */
  social_connection_id: string | null;
  expires_at: number;
  created_at: number;
}

export interface OauthProviderRow {
  id: string;
  deployment_id: string;
  /** The wire name: google_oauth, github_oauth, microsoft_oauth, apple_oauth or oidc_<slug>. */
  provider: string;
  client_id: string;
  /** Sealed with the secret box (context "oauth_providers.client_secret:<id>"); never returned. */
  client_secret_sealed: string;
  /** OIDC issuer (discovery), or the base URL of a GitHub-style server; null: the kind's default. */
  issuer: string | null;
  /** Space-separated. */
  scopes: string;
  enabled: Bool;
  created_at: number;
  updated_at: number;
}

export interface OauthSettingsRow {
  deployment_id: string;
  /** JSON array of the URLs a sign-in may return to. */
  redirect_urls: string;
  allow_sign_up: Bool;
  updated_at: number;
}

export interface OauthStateRow {
  /** SHA-256 of the `state` parameter: a leaked table row cannot be replayed as a callback. */
  state_hash: string;
  deployment_id: string;
  provider: string;
  /** SHA-256 of the browser-binding cookie of the browser that started the sign-in. */
  browser_binding_hash: string;
  code_verifier_sealed: string;
  nonce: string | null;
  redirect_url: string;
  /** "sign_in" or "link". */
  intent: string;
  /** For "link": the signed-in user the new connection is for. */
  link_user_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface OauthTokensRow {
  connection_id: string;
  deployment_id: string;
  access_token_sealed: string;
  refresh_token_sealed: string | null;
  token_type: string;
  scopes: string;
  expires_at: number | null;
  updated_at: number;
}

export interface Database {
  deployments: DeploymentRow;
  api_keys: ApiKeyRow;
  users: UserRow;
  user_emails: UserEmailRow;
  user_phones: UserPhoneRow;
  social_connections: SocialConnectionRow;
  sessions: SessionRow;
  profile_images: ProfileImageRow;
  idempotency_keys: IdempotencyKeyRow;
  deployment_user_counts: DeploymentUserCountRow;
  sign_in_attempt_failures: SignInAttemptFailureRow;
  signing_keys: SigningKeyRow;
  console_sessions: ConsoleSessionRow;
  console_login_tokens: ConsoleLoginTokenRow;
  webhook_apps: WebhookAppRow;
  webhook_endpoints: WebhookEndpointRow;
  webhook_subscriptions: WebhookSubscriptionRow;
  webhook_events: WebhookEventRow;
  webhook_deliveries: WebhookDeliveryRow;
  webhook_delivery_attempts: WebhookDeliveryAttemptRow;
  webhook_replay_tasks: WebhookReplayTaskRow;
  audit_log_entries: AuditLogEntryRow;
  totp_authenticators: TotpAuthenticatorRow;
  backup_codes: BackupCodeRow;
  passkeys: PasskeyRow;
  webauthn_challenges: WebauthnChallengeRow;
  pending_sign_ins: PendingSignInRow;
  oauth_providers: OauthProviderRow;
  oauth_settings: OauthSettingsRow;
  oauth_states: OauthStateRow;
  oauth_tokens: OauthTokensRow;
}
