import type { createRemoteJWKSet } from "jose";
import { onFirstUse } from "../../on-first-use.js";
import type { ProviderCredentials } from "../../oauth-providers/oauth-providers.service.js";
import { callProvider, isSafeProviderUrl } from "./outbound.js";
import { OauthFailure } from "./provider-error.js";

/** Where one configured provider's endpoints are, and the only origins we will call for it. */
export interface ProviderEndpoints {
  protocol: "oidc" | "github";
  /** OIDC: the issuer exactly as the discovery document states it (what `iss` must equal). */
  issuer: string | null;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string | null;
  jwksUri: string | null;
  /** GitHub: the REST API root (`/user`, `/user/emails` below it). */
  apiBaseUrl: string | null;
  /** How the client secret goes to the token endpoint (RFC 6749 §2.3.1; Basic is the OIDC default). */
  tokenAuthMethod: "client_secret_basic" | "client_secret_post";
  allowedOrigins: Set<string>;
}

const DISCOVERY_CACHE_MS = 60 * 60 * 1000;

type RemoteJwks = ReturnType<typeof createRemoteJWKSet>;
// Only social sign-in with an OpenID Connect provider needs it: loaded then, not at start.
const jose = onFirstUse(() => import("jose"));

/**
 * Endpoints of the configured providers, found once and kept for an hour: OpenID Connect
 * discovery for OIDC providers, GitHub's documented layout for GitHub-style ones. Also keeps one
 * JWKS per provider, so ID tokens are verified without fetching the keys each time (jose refetches
 * them when a token names a key it has not seen). One directory per app: no module-level state.
 */
export class ProviderDirectory {
  readonly #discovered = new Map<string, { endpoints: ProviderEndpoints; fetchedAtMs: number }>();
  readonly #jwks = new Map<string, RemoteJwks>();

  constructor(readonly timeoutMs: number) {}

  async endpointsOf(credentials: Pick<ProviderCredentials, "kind" | "issuer">): Promise<ProviderEndpoints> {
    if (credentials.kind.protocol === "github") return githubEndpoints(credentials.issuer);
    const cached = this.#discovered.get(credentials.issuer);
    if (cached && Date.now() - cached.fetchedAtMs < DISCOVERY_CACHE_MS) return cached.endpoints;
    const endpoints = await discover(credentials.issuer, this.timeoutMs);
    this.#discovered.set(credentials.issuer, { endpoints, fetchedAtMs: Date.now() });
    return endpoints;
  }

  async jwksOf(jwksUri: string): Promise<RemoteJwks> {
    const { createRemoteJWKSet } = await jose();
    let jwks = this.#jwks.get(jwksUri);
    if (!jwks) {
      jwks = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: this.timeoutMs, cooldownDuration: 30_000, cacheMaxAge: DISCOVERY_CACHE_MS });
      this.#jwks.set(jwksUri, jwks);
    }
    return jwks;
  }
}

/** github.com keeps its API on api.github.com; GitHub Enterprise Server under <base>/api/v3. */
function githubEndpoints(base: string): ProviderEndpoints {
  const apiBaseUrl = base === "https://github.com" ? "https://api.github.com" : `${base}/api/v3`;
  return {
    protocol: "github",
    issuer: null,
    authorizationEndpoint: `${base}/login/oauth/authorize`,
    tokenEndpoint: `${base}/login/oauth/access_token`,
    userinfoEndpoint: null,
    jwksUri: null,
    apiBaseUrl,
    tokenAuthMethod: "client_secret_post",
    allowedOrigins: new Set([new URL(base).origin, new URL(apiBaseUrl).origin]),
  };
}

interface DiscoveryDocument {
  issuer?: unknown;
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  userinfo_endpoint?: unknown;
  jwks_uri?: unknown;
  token_endpoint_auth_methods_supported?: unknown;
}

/** OpenID Connect Discovery 1.0 §4: the document under the issuer, whose `issuer` must be that issuer. */
async function discover(issuer: string, timeoutMs: number): Promise<ProviderEndpoints> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const { status, body } = await callProvider(url, { method: "GET" }, { timeoutMs, allowedOrigins: new Set([new URL(issuer).origin]) });
  if (status !== 200 || typeof body !== "object" || body === null) throw new OauthFailure("provider_unavailable", `Discovery at ${url} answered ${status}.`);
  const document = body as DiscoveryDocument;
  if (typeof document.issuer !== "string" || document.issuer.replace(/\/+$/, "") !== issuer) {
    throw new OauthFailure("provider_misconfigured", `The discovery document at ${url} names another issuer (${String(document.issuer)}).`);
  }
  const endpoint = (name: keyof DiscoveryDocument, isRequired: boolean): string | null => {
    const value = document[name];
    if (value === undefined && !isRequired) return null;
    if (typeof value !== "string" || !isSafeProviderUrl(value))
      throw new OauthFailure("provider_misconfigured", `The discovery document at ${url} has no usable ${name}.`);
    return value;
  };
  const authorizationEndpoint = endpoint("authorization_endpoint", true)!;
  const tokenEndpoint = endpoint("token_endpoint", true)!;
  const jwksUri = endpoint("jwks_uri", true)!;
  const userinfoEndpoint = endpoint("userinfo_endpoint", false);
  const methods = Array.isArray(document.token_endpoint_auth_methods_supported) ? document.token_endpoint_auth_methods_supported : ["client_secret_basic"];
  return {
    protocol: "oidc",
    issuer: document.issuer,
    authorizationEndpoint,
    tokenEndpoint,
    userinfoEndpoint,
    jwksUri,
    apiBaseUrl: null,
    tokenAuthMethod: methods.includes("client_secret_basic") ? "client_secret_basic" : "client_secret_post",
    allowedOrigins: new Set(
      [issuer, authorizationEndpoint, tokenEndpoint, jwksUri, ...(userinfoEndpoint ? [userinfoEndpoint] : [])].map((u) => new URL(u).origin),
    ),
  };
}
