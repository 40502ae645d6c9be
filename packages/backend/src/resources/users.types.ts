/**
 * Wire types of the users API, field for field as the server sends them
 * (snake_case; a value the server does not have is `null`, never omitted).
 * test/openapi-drift.test.ts fails when these drift from the server's OpenAPI document.
 */

export type SecondFactorPolicy = "none" | "optional" | "enforced";
export type UserSortKey = "created_at" | "username" | "email" | "phone_number";
export type SortOrder = "asc" | "desc";
/** Formats of imported password digests the server verifies (and replaces with argon2id at the next sign-in). */
export type PasswordHasher =
  | "argon2id"
  | "argon2i"
  | "bcrypt"
  | "scrypt_firebase"
  | "scrypt_better_auth"
  | "pbkdf2"
  | "pbkdf2_sha256"
  | "pbkdf2_sha256_django"
  | "pbkdf2_sha512"
  | "phpass"
  | "md5_phpass"
  | "wordpress";
/** How a session was signed in: the password alone, with a second factor, or a passkey. */
export type SignInMethod = "password" | "password+totp" | "password+backup_code" | "passkey";
/** `"otp"` for emails an admin added, `"oauth_<provider>"` for ones an OAuth sign-in brought. */
export type VerificationStrategy = "otp" | `oauth_${string}`;

/** A user as listed by `GET /users` and returned by createUser. */
export interface User {
  id: string;
  created_at: string;
  updated_at: string;
  first_name: string;
  last_name: string;
  username: string | null;
  profile_picture_url: string | null;
  primary_email_address: string | null;
  primary_phone_number: string | null;
  /** The user's id in another system (where it was imported from, or the app's own); unique per deployment. */
  external_id: string | null;
  /** Sign-in is refused and the user's sessions were ended (updateUser with `disabled`). */
  disabled: boolean;
  /** Too many wrong passwords: sign-in is refused until `lockout_expires_at` (or an unlock). */
  locked: boolean;
  last_sign_in_at: string | null;
  /** Password sign-in asks for a second factor: a TOTP authenticator or unused backup codes (a passkey is a first factor). */
  two_factor_enabled: boolean;
}

/** A user with everything attached, as returned by getUser and updateUser. */
export interface UserDetails extends User {
  deployment_id: string;
  second_factor_policy: SecondFactorPolicy;
  public_metadata: Record<string, unknown>;
  private_metadata: Record<string, unknown>;
  primary_email_address_id: string | null;
  primary_phone_number_id: string | null;
  email_addresses: UserEmail[];
  phone_numbers: UserPhone[];
  social_connections: UserSocialConnection[];
  has_password: boolean;
  /** Unused backup codes exist (regenerateBackupCodes). */
  has_backup_codes: boolean;
  /** A TOTP authenticator is active (createAuthenticator). */
  totp_enabled: boolean;
  /** Registered passkeys (listPasskeys). */
  passkeys_count: number;
  last_password_reset_at: string | null;
  lockout_expires_at: string | null;
  // Kept for compatibility with the published SDK's shape.
  schema_version: string;
  availability: string;
  segments: Segment[];
  active_organization_membership_id: string | null;
  active_workspace_membership_id: string | null;
}

export interface Segment {
  id: string;
  created_at?: string;
  updated_at?: string;
  deleted_at?: string;
  deployment_id: string;
  name: string;
  type: "organization" | "workspace" | "user";
}

export interface UserEmail {
  id: string;
  created_at: string;
  updated_at: string;
  deployment_id: string;
  user_id: string;
  email: string;
  is_primary: boolean;
  verified: boolean;
  verified_at: string | null;
  verification_strategy: VerificationStrategy;
}

export interface UserPhone {
  id: string;
  created_at: string;
  updated_at: string;
  user_id: string;
  /** E.164, e.g. `+14155550123`. */
  phone_number: string;
  country_code: string;
  is_primary: boolean;
  verified: boolean;
  verified_at: string | null;
}

/** A linked OAuth account. Its tokens never leave the server. */
export interface UserSocialConnection {
  id: string;
  created_at: string;
  updated_at: string;
  user_id: string;
  user_email_address_id: string | null;
  /** e.g. `"google_oauth"`, `"github_oauth"`. */
  provider: string;
  /** The user's id at the provider. */
  provider_user_id: string;
  email_address: string | null;
}

/** One signed-in session of a user. */
export interface UserSignin {
  id: string;
  created_at: string;
  updated_at: string;
  session_id: string;
  user_id: string;
  expires_at: string;
  last_active_at: string;
  revoked_at: string | null;
  ip_address: string | null;
  user_agent: string | null;
  browser: string | null;
  device: string | null;
  /** How the user signed in. */
  sign_in_method: SignInMethod;
  city: string | null;
  region: string | null;
  region_code: string | null;
  country: string | null;
  country_code: string | null;
  active_organization_membership_id: string | null;
  active_workspace_membership_id: string | null;
}

/** Answer of the per-user list endpoints (emails, phones, connections, sign-ins). */
export interface ListResponse<T> {
  data: T[];
  has_more: boolean;
}

export interface ListUsersOptions {
  /** 1–500; the server's default is 10. */
  limit?: number;
  offset?: number;
  /** A user id: the page after that user, in this sort (iteration sets it for you). */
  starting_after?: string;
  /** A user id: the page before that user, in this sort. */
  ending_before?: string;
  sort_key?: UserSortKey;
  sort_order?: SortOrder;
  /** Case-insensitive substring of names, username, any email or phone. */
  search?: string;
  /** Exact filters; pass an array to match any of several values. */
  email_address?: string | string[];
  phone_number?: string | string[];
  username?: string | string[];
  user_id?: string | string[];
  /** Exact (case-sensitive) external_id. */
  external_id?: string | string[];
}

export interface CreateUserRequest {
  first_name: string;
  last_name: string;
  /** Created verified and primary. */
  email_address?: string;
  /** Created verified and primary. */
  phone_number?: string;
  username?: string;
  password?: string;
  /** A password hash from another provider, instead of `password`; the server replaces it with its own at the next sign-in. */
  password_digest?: string;
  /** The format of `password_digest` (see the server's hashers/README for each one's digest string). */
  password_hasher?: PasswordHasher;
  /** Skip the server's password policy (length, common passwords). */
  skip_password_check?: boolean;
  /** 1–255 characters, unique per deployment (409 `external_id_taken`). */
  external_id?: string;
  public_metadata?: Record<string, unknown>;
  private_metadata?: Record<string, unknown>;
  /** When present the request is sent as multipart/form-data. */
  profile_image?: Blob;
}

export interface UpdateUserRequest {
  first_name?: string;
  last_name?: string;
  /** `null` removes the username (JSON requests only). */
  username?: string | null;
  /** `null` removes it (JSON requests only). */
  external_id?: string | null;
  /** Replaces the stored metadata as a whole. */
  public_metadata?: Record<string, unknown>;
  /** Replaces the stored metadata as a whole. */
  private_metadata?: Record<string, unknown>;
  /** `true` also ends all of the user's sessions. */
  disabled?: boolean;
  second_factor_policy?: SecondFactorPolicy;
  remove_profile_image?: boolean;
  /** When present the request is sent as multipart/form-data. */
  profile_image?: Blob;
}

export interface UpdatePasswordRequest {
  new_password: string;
  skip_password_check?: boolean;
  /** End the user's other sessions too (server default: true). */
  revoke_sessions?: boolean;
}

export interface AddEmailRequest {
  email: string;
  verified?: boolean;
  is_primary?: boolean;
}

export interface UpdateEmailRequest {
  email?: string;
  verified?: boolean;
  is_primary?: boolean;
}

export interface AddPhoneRequest {
  phone_number: string;
  /** An ISO region (`"US"`) or a calling code (`"+1"`); may be left out when the number is E.164. */
  country_code?: string;
  verified?: boolean;
  is_primary?: boolean;
}

export interface UpdatePhoneRequest {
  phone_number?: string;
  country_code?: string;
  verified?: boolean;
  is_primary?: boolean;
}

/** Links an OAuth identity, e.g. for users migrating from another provider. */
export interface LinkSocialConnectionRequest {
  provider: string;
  provider_user_id: string;
  email_address?: string;
}

export interface ListUserSigninsOptions {
  /** Include expired sign-ins (default false). */
  include_expired?: boolean;
}

export interface RevokeAllSigninsResponse {
  revoked: number;
}
