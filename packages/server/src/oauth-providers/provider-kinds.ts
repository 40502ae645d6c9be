/**
 * The kinds of identity provider a deployment can configure, by wire name (wire-protocol.md):
 * Google, Microsoft and Apple speak OpenID Connect at known issuers, GitHub speaks plain OAuth 2.0
 * with its own user API, and `oidc_<slug>` is any OpenID Connect provider found by discovery.
 */
export type ProviderProtocol = "oidc" | "github";

export interface ProviderKind {
  protocol: ProviderProtocol;
  /** Where the provider lives when the admin gives no issuer; null: an issuer is required. */
  defaultIssuer: string | null;
  defaultScopes: string[];
  /**
   * How the provider returns to our callback. Apple answers with a form POST when names or the
   * email are asked for; everyone else redirects with a query string.
   */
  responseMode: "query" | "form_post";
  /**
   * Microsoft's multi-tenant issuer is a template: ID tokens carry the tenant's own issuer,
   * `https://login.microsoftonline.com/{tenantid}/v2.0`, filled in from their `tid` claim.
   */
  isIssuerTemplated: boolean;
  /**
   * Hosts (and their subdomains) the provider serves profile pictures from, besides its own
   * endpoints: a picture is fetched only from there, never from wherever a claim points.
   */
  pictureHosts: string[];
}

const oidcDefaults = {
  protocol: "oidc",
  defaultScopes: ["openid", "email", "profile"],
  responseMode: "query",
  isIssuerTemplated: false,
  pictureHosts: [] as string[],
} as const;

const KNOWN_KINDS: Record<string, ProviderKind> = {
  google_oauth: {
    ...oidcDefaults,
    defaultIssuer: "https://accounts.google.com",
    defaultScopes: ["openid", "email", "profile"],
    pictureHosts: ["googleusercontent.com"],
  },
  microsoft_oauth: {
    ...oidcDefaults,
    defaultIssuer: "https://login.microsoftonline.com/common/v2.0",
    defaultScopes: ["openid", "email", "profile", "offline_access"],
    isIssuerTemplated: true,
  },
  apple_oauth: { ...oidcDefaults, defaultIssuer: "https://appleid.apple.com", defaultScopes: ["openid", "email", "name"], responseMode: "form_post" },
  github_oauth: {
    protocol: "github",
    defaultIssuer: "https://github.com",
    defaultScopes: ["read:user", "user:email"],
    responseMode: "query",
    isIssuerTemplated: false,
    pictureHosts: ["avatars.githubusercontent.com"],
  },
};

/** `oidc_` and a slug that fits the social-connection provider names (lower case, digits, `_`). */
export const CUSTOM_OIDC_PATTERN = /^oidc_[a-z0-9][a-z0-9_]{0,34}$/;

export const PROVIDER_NAME_RULE = "must be google_oauth, github_oauth, microsoft_oauth, apple_oauth or oidc_<slug> (a-z, 0-9, _)";

/** The kind a provider name stands for, or null for a name we do not know. */
export function kindOf(provider: string): ProviderKind | null {
  if (Object.hasOwn(KNOWN_KINDS, provider)) return KNOWN_KINDS[provider]!;
  if (CUSTOM_OIDC_PATTERN.test(provider)) return { ...oidcDefaults, defaultIssuer: null, defaultScopes: [...oidcDefaults.defaultScopes], pictureHosts: [] };
  return null;
}

/** `oauth_google` for google_oauth, `oauth_oidc_acme` for oidc_acme: the sign-in method and email verification strategy. */
export function signInMethodOf(provider: string): string {
  return `oauth_${provider.replace(/_oauth$/, "")}`;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Whether a URL may be talked to over plain http: only on this machine, for development and tests. */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * An issuer (or GitHub base URL) as we store it: https, or http on a loopback address; no query,
 * fragment or credentials; no trailing slash. Null when it is none of that.
 */
export function normalizeIssuer(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackUrl(url))) return null;
  if (url.username || url.password || url.search || url.hash) return null;
  return url.href.replace(/\/+$/, "");
}
