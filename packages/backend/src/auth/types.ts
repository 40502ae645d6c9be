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
  /** Used for the frontend API calls (session exchange, JWKS); defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Milliseconds per attempt for those calls (default 10 000). */
  timeout?: number;
  /** Retries of those calls when no answer came back or the server was unavailable (default 1). */
  maxRetries?: number;
  /**
   * Origins a session token may have been minted for (its `azp` claim, the `Origin` of the
   * browser request that got it), e.g. `["https://app.example.com"]`. A token naming another
   * origin is refused. A token without `azp` passes, because the tokens minted server-side by
   * exchangeSessionForAuthToken and those of same-origin GETs carry no Origin; set
   * `requireAuthorizedParty` when every token of the app comes from a cross-origin browser call.
   */
  authorizedParties?: string[];
  /** With `authorizedParties`: refuse tokens that carry no `azp` too (default false). */
  requireAuthorizedParty?: boolean;
  /**
   * Key (32+ characters) for the `x-wacht-auth` header of authenticateRequest/authFromHeaders;
   * defaults to WACHT_AUTH_HEADER_SECRET, else a random key per process (enough when middleware
   * and handler run in one process).
   */
  authHeaderSecret?: string;
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
  /** The origin the token was minted for (the `Origin` of the request), when it had one. */
  azp?: string;
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
