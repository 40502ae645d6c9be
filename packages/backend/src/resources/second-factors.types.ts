/**
 * Wire types of a user's second factors and memberships (`client.users` methods beyond the
 * profile), field for field as the server sends them.
 */

/** A registered passkey. Credential id, public key and AAGUID never leave the server. */
export interface UserPasskey {
  id: string;
  created_at: string;
  updated_at: string;
  user_id: string;
  name: string;
  /** The authenticator's signature counter at the last use (0 for authenticators without one). */
  sign_count: number;
  /** WebAuthn transports, e.g. `["internal", "hybrid"]`. */
  transports: string[];
  last_used_at: string | null;
  /** Whether the credential is synced (backed up) by its provider. */
  backed_up: boolean;
  device_type: "platform" | "cross-platform";
}

export interface CreateAuthenticatorRequest {
  /** Base32 TOTP secret chosen by the admin; whitespace and `-` are ignored; at least 16 bytes once decoded. */
  secret: string;
  /** The label authenticator apps show; defaults to the primary email, else username or name. No `:`. */
  account_name?: string;
}

export interface CreateAuthenticatorResponse {
  id: string;
  /** `otpauth://totp/…` (SHA1, 6 digits, 30 s), with the secret: render as a QR code or copy as-is. */
  otp_url: string;
}

export interface RegeneratedBackupCodesResponse {
  /** 12 codes `XXXX-XXXX`, shown this once; the previous set stops working. */
  backup_codes: string[];
}

export interface VerifyPasswordRequest {
  password: string;
}

export interface VerifyPasswordResponse {
  verified: true;
}

export interface VerifyTotpRequest {
  /** A current TOTP code, or one of the user's unused backup codes. */
  code: string;
}

export interface VerifyTotpResponse {
  verified: true;
  code_type: "totp" | "backup_code";
}

export interface Organization {
  id: string;
  created_at: string;
  updated_at: string;
  name: string;
  description: string;
  image_url: string;
  member_count: number;
  public_metadata: Record<string, unknown>;
  private_metadata: Record<string, unknown>;
}

export type Workspace = Organization;

export interface MembershipRole {
  id: string;
  created_at: string;
  updated_at: string;
  name: string;
  permissions: string[];
  is_deployment_level: boolean;
}

/** A user's membership of an organization. Wacht has no organizations yet: lists are always empty. */
export interface UserOrganizationMembership {
  id: string;
  created_at: string;
  updated_at: string;
  organization_id: string;
  user_id: string;
  public_metadata: Record<string, unknown>;
  roles: MembershipRole[];
  organization: Organization;
}

/** A user's membership of a workspace. Wacht has no workspaces yet: lists are always empty. */
export interface UserWorkspaceMembership {
  id: string;
  created_at: string;
  updated_at: string;
  workspace_id: string;
  organization_id: string;
  organization_membership_id: string;
  user_id: string;
  public_metadata: Record<string, unknown>;
  roles: MembershipRole[];
  workspace: Workspace;
}

/** `data` of an `authenticator.created` event: never the secret or its otpauth URL. (`authenticator.deleted`: `{ id, deleted: true }`.) */
export interface AuthenticatorEventData {
  id: string;
  user_id: string;
  account_name: string;
  created_at: string;
}

/** `data` of a `backup_codes.regenerated` event: how many were issued, never the codes or their hashes. */
export interface BackupCodesRegeneratedEventData {
  user_id: string;
  count: number;
  created_at: string;
}
