/** Options of the session-token helpers, as the published @wacht/backend names them. */
export interface WachtServerOptions {
  /** `pk_test_…` / `pk_live_…`; defaults to WACHT_PUBLISHABLE_KEY (or NEXT_PUBLIC_WACHT_PUBLISHABLE_KEY). */
  publishableKey?: string;
  /** The `iss` a token must carry; defaults to the frontend API URL the publishable key encodes. */
  requiredIssuer?: string;
  /** Clock difference to tolerate on `exp` and `nbf`, in milliseconds (default 0). */
  clockSkewInMs?: number;
  /** Cookie exchangeSessionForAuthToken sends the session in (default `__session`). */
  sessionCookieName?: string;
  signInUrl?: string;
  authCookieName?: string;
  devSessionCookieName?: string;
}

/** The claims of a session token; Wacht's server sets iss, sub, sid, iat, nbf and exp. */
export interface JWTPayload {
  sub?: string;
  sid?: string;
  sess?: string;
  organization?: string;
  organization_permissions?: string[];
  workspace?: string;
  workspace_permissions?: string[];
  permissions?: { organization?: string[]; workspace?: string[] };
  claims?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  custom_claims?: Record<string, unknown>;
  exp?: number;
  nbf?: number;
  iat?: number;
  iss?: string;
  aud?: string | string[];
}

export interface ProtectOptions {
  permission?: string | string[];
  organizationId?: string;
  workspaceId?: string;
  redirectUrl?: string;
}

export interface PermissionCheck {
  permission?: string | string[];
  organizationId?: string;
  workspaceId?: string;
}

/** Who a request is from; every field is null (and `has` false) when it carries no valid token. */
export interface WachtAuth {
  userId: string | null;
  sessionId: string | null;
  organizationId: string | null;
  workspaceId: string | null;
  organizationPermissions: string[];
  workspacePermissions: string[];
  /** Throws WachtAuthError (401 unauthenticated, 403 forbidden) unless the checks pass. */
  protect: (options?: ProtectOptions) => Promise<void>;
  has: (check: PermissionCheck) => boolean;
}
