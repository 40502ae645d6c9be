import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import { frontendApiUrlOf } from "./publishable-key.js";
import type { JWTPayload, WachtServerOptions } from "./types.js";

/**
 * The algorithms a Wacht session token may use. Wacht signs ES256; the list is closed, so a
 * token cannot pick "none" or an HMAC algorithm keyed with a public key.
 */
const ALGORITHMS = ["ES256", "ES384", "ES512"];

/**
 * After a key rotation, tokens name a key the cached JWKS lacks. Such a miss may refetch the
 * JWKS at once, but at most this often, so tokens with made-up key ids cannot turn every request
 * into a fetch.
 */
const FORCED_RELOAD_INTERVAL_MS = 5_000;

interface CachedJwks {
  getKey: ReturnType<typeof createRemoteJWKSet>;
  lastForcedReloadMs: number;
}

// One JWKS per frontend API URL for the life of the process: fetched once, then served from
// memory (jose refreshes it after 10 minutes, or sooner for a key id it has not seen).
const jwksByUrl = new Map<string, CachedJwks>();

function jwksFor(frontendApiUrl: string): CachedJwks {
  let cached = jwksByUrl.get(frontendApiUrl);
  if (!cached) {
    cached = { getKey: createRemoteJWKSet(new URL(`${frontendApiUrl}/.well-known/jwks.json`)), lastForcedReloadMs: 0 };
    jwksByUrl.set(frontendApiUrl, cached);
  }
  return cached;
}

async function verifyWithJwks(token: string, jwks: CachedJwks, issuer: string, clockToleranceSeconds: number): Promise<JWTPayload> {
  const options = { algorithms: ALGORITHMS, issuer, clockTolerance: clockToleranceSeconds };
  try {
    return (await jwtVerify(token, jwks.getKey, options)).payload as JWTPayload;
  } catch (error) {
    const now = Date.now();
    if (!(error instanceof errors.JWKSNoMatchingKey) || now - jwks.lastForcedReloadMs < FORCED_RELOAD_INTERVAL_MS) throw error;
    jwks.lastForcedReloadMs = now;
    await jwks.getKey.reload();
    return (await jwtVerify(token, jwks.getKey, options)).payload as JWTPayload;
  }
}

/**
 * The claims of a valid session token, or null: a bad signature, an unknown key, another
 * issuer, an expired or not-yet-valid token are all "not signed in", not errors. Throws only when
 * no publishable key is configured.
 */
export async function verifyAuthToken(token: string, options: WachtServerOptions = {}): Promise<JWTPayload | null> {
  const frontendApiUrl = frontendApiUrlOf(options);
  const issuer = options.requiredIssuer || frontendApiUrl;
  try {
    return await verifyWithJwks(token, jwksFor(frontendApiUrl), issuer, Math.floor((options.clockSkewInMs || 0) / 1000));
  } catch {
    return null;
  }
}
