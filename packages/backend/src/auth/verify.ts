import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from "jose";
import { sendRequest, type TransportConfig } from "../core/request.js";
import { frontendTransportOf } from "./frontend-transport.js";
import type { JWTPayload, WachtServerOptions } from "./types.js";

/**
 * The algorithms a Wacht session token may use. Wacht signs ES256; the list is closed, so a
 * token cannot pick "none" or an HMAC algorithm keyed with a public key.
 */
const ALGORITHMS = ["ES256", "ES384", "ES512"];

/**
 * Claims without which a token proves nothing: who (`sub`), since when (`iat`) and until when
 * (`exp`). jose only checks `exp` when present, so a token minted without one would never expire.
 */
const REQUIRED_CLAIMS = ["exp", "iat", "sub"];

/** A fetched JWKS is served from memory this long, then fetched again on the next verification. */
const JWKS_MAX_AGE_MS = 10 * 60_000;

/**
 * After a key rotation, tokens name a key the cached JWKS lacks. Such a miss may refetch the
 * JWKS at once, but at most this often, so tokens with made-up key ids cannot turn every request
 * into a fetch.
 */
const FORCED_RELOAD_INTERVAL_MS = 5_000;

type KeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * One frontend API's keys. Fetched through core's request path (timeout, injected fetch,
 * retries), so the JWKS is not a second HTTP path; concurrent verifications share one fetch.
 */
class JwksCache {
  #keySet: KeySet | null = null;
  #fetchedAtMs = 0;
  #pending: Promise<KeySet> | null = null;
  #lastForcedReloadMs = 0;

  async current(transport: TransportConfig): Promise<KeySet> {
    if (this.#keySet && Date.now() - this.#fetchedAtMs < JWKS_MAX_AGE_MS) return this.#keySet;
    return this.#load(transport);
  }

  /** A reload for a key id we have not seen; null when one happened too recently. */
  async reloadForUnknownKey(transport: TransportConfig): Promise<KeySet | null> {
    const now = Date.now();
    if (now - this.#lastForcedReloadMs < FORCED_RELOAD_INTERVAL_MS) return null;
    this.#lastForcedReloadMs = now;
    return this.#load(transport);
  }

  #load(transport: TransportConfig): Promise<KeySet> {
    this.#pending ??= sendRequest<JSONWebKeySet>(transport, "GET", "/.well-known/jwks.json", undefined)
      .then((jwks) => {
        this.#keySet = createLocalJWKSet(jwks);
        this.#fetchedAtMs = Date.now();
        return this.#keySet;
      })
      .finally(() => {
        this.#pending = null;
      });
    return this.#pending;
  }
}

// One JWKS per frontend API URL for the life of the process.
const jwksByUrl = new Map<string, JwksCache>();

function jwksFor(frontendApiUrl: string): JwksCache {
  let cached = jwksByUrl.get(frontendApiUrl);
  if (!cached) {
    cached = new JwksCache();
    jwksByUrl.set(frontendApiUrl, cached);
  }
  return cached;
}

async function verifyWithJwks(token: string, transport: TransportConfig, issuer: string, clockToleranceSeconds: number): Promise<JWTPayload> {
  const options = { algorithms: ALGORITHMS, issuer, clockTolerance: clockToleranceSeconds, requiredClaims: REQUIRED_CLAIMS };
  const jwks = jwksFor(transport.baseUrl);
  try {
    return (await jwtVerify(token, await jwks.current(transport), options)).payload as JWTPayload;
  } catch (error) {
    if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
    const reloaded = await jwks.reloadForUnknownKey(transport);
    if (!reloaded) throw error;
    return (await jwtVerify(token, reloaded, options)).payload as JWTPayload;
  }
}

// Origins compare as the URL parser writes them: case-folded scheme and host, no trailing slash.
function normalizeOrigin(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}

/** Whether the token's `azp` is one the app accepts (see WachtServerOptions.authorizedParties). */
function isAuthorizedParty(payload: JWTPayload, options: WachtServerOptions): boolean {
  const parties = options.authorizedParties;
  if (!parties || parties.length === 0) return true;
  if (payload.azp === undefined) return !options.requireAuthorizedParty;
  if (typeof payload.azp !== "string") return false;
  const azp = normalizeOrigin(payload.azp);
  return parties.some((party) => normalizeOrigin(party) === azp);
}

/**
 * The claims of a valid session token, or null: a bad signature, an unknown key, another
 * issuer, an expired or not-yet-valid token, a token without `exp`, `iat` or `sub`, or one
 * minted for an origin outside `authorizedParties` are all "not signed in", not errors. Throws
 * only when no publishable key is configured.
 */
export async function verifyAuthToken(token: string, options: WachtServerOptions = {}): Promise<JWTPayload | null> {
  const transport = frontendTransportOf(options);
  const issuer = options.requiredIssuer || transport.baseUrl;
  try {
    const payload = await verifyWithJwks(token, transport, issuer, Math.floor((options.clockSkewInMs || 0) / 1000));
    if (typeof payload.sub !== "string" || payload.sub === "") return null;
    return isAuthorizedParty(payload, options) ? payload : null;
  } catch {
    return null;
  }
}
