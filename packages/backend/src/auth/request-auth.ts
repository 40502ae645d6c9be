import { WachtError } from "../core/errors.js";
import { base64ToBytes, bytesToBase64Url, utf8 } from "../crypto/base64.js";
import { constantTimeEqual } from "../crypto/constant-time-equal.js";
import { hmacSha256 } from "../crypto/hmac-sha256.js";
import { WachtAuthError } from "./auth-error.js";
import type { JWTPayload, PermissionCheck, ProtectOptions, WachtAuth, WachtServerOptions } from "./types.js";
import { verifyAuthToken } from "./verify.js";

const AUTH_HEADER = "x-wacht-auth";

const asList = (permission: string | string[]) => (Array.isArray(permission) ? permission : [permission]);

function createAuth(payload: JWTPayload | null): WachtAuth {
  const organizationPermissions = payload?.organization_permissions || payload?.permissions?.organization || [];
  const workspacePermissions = payload?.workspace_permissions || payload?.permissions?.workspace || [];
  const holds = (permission: string) => organizationPermissions.includes(permission) || workspacePermissions.includes(permission);
  const has = (check: PermissionCheck): boolean => {
    if (!payload?.sub) return false;
    if (check.organizationId && payload.organization !== check.organizationId) return false;
    if (check.workspaceId && payload.workspace !== check.workspaceId) return false;
    return !check.permission || asList(check.permission).some(holds);
  };
  return {
    userId: payload?.sub || null,
    sessionId: payload?.sid || payload?.sess || null,
    organizationId: payload?.organization || null,
    workspaceId: payload?.workspace || null,
    organizationPermissions,
    workspacePermissions,
    has,
    protect: async (options?: ProtectOptions) => {
      if (!payload?.sub) {
        throw new WachtAuthError("unauthenticated", 401, "Unauthorized", options?.redirectUrl ? { redirectUrl: options.redirectUrl } : undefined);
      }
      if (!has({ organizationId: options?.organizationId, workspaceId: options?.workspaceId, permission: options?.permission })) {
        throw new WachtAuthError("forbidden", 403, "Forbidden");
      }
    },
  };
}

function bearerTokenOf(request: Request): string | null {
  const header = request.headers.get("authorization");
  return header?.startsWith("Bearer ") ? header.substring(7).trim() : null;
}

/** The auth a session token proves; a missing or invalid token gives the signed-out auth. */
export async function getAuthFromToken(token: string | null | undefined, options: WachtServerOptions = {}): Promise<WachtAuth> {
  return createAuth(token ? await verifyAuthToken(token, options) : null);
}

/** The auth of a request carrying `Authorization: Bearer <session token>`. */
export async function getAuth(request: Request, options: WachtServerOptions = {}): Promise<WachtAuth> {
  return getAuthFromToken(bearerTokenOf(request), options);
}

/**
 * Where authenticateRequest puts the auth for code further down (middleware → handler):
 * `v1.<base64url JSON claims>.<base64url HMAC-SHA256>`. The MAC is what makes the header
 * trustworthy: any client can send an `x-wacht-auth` header, none can sign one.
 */
const SIGNED_HEADER_VERSION = "v1";
const MIN_SECRET_LENGTH = 32;

let processSecret: Uint8Array | null | undefined;

/**
 * The key the header is signed with: `authHeaderSecret` (or WACHT_AUTH_HEADER_SECRET) when the
 * middleware and the handler run in different processes, else a random key made once per process.
 * Null only on a runtime without Web Crypto's getRandomValues: then no header is trusted.
 */
function authHeaderKey(options: WachtServerOptions): Uint8Array | null {
  const configured = options.authHeaderSecret ?? readEnv("WACHT_AUTH_HEADER_SECRET");
  if (configured !== undefined) {
    if (configured.length < MIN_SECRET_LENGTH) {
      throw new WachtError(
        `authHeaderSecret (WACHT_AUTH_HEADER_SECRET) must be at least ${MIN_SECRET_LENGTH} characters: it is what stops clients forging x-wacht-auth.`,
      );
    }
    return utf8.encode(configured);
  }
  if (processSecret === undefined) {
    const random = globalThis.crypto?.getRandomValues?.bind(globalThis.crypto);
    processSecret = random ? random(new Uint8Array(32)) : null;
  }
  return processSecret;
}

function readEnv(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    return env?.[name] || undefined;
  } catch {
    return undefined;
  }
}

function signHeader(claims: JWTPayload, key: Uint8Array): string {
  const signed = `${SIGNED_HEADER_VERSION}.${bytesToBase64Url(utf8.encode(JSON.stringify(claims)))}`;
  return `${signed}.${bytesToBase64Url(hmacSha256(key, utf8.encode(signed)))}`;
}

/** The claims of a header we signed and that has not expired; null for anything else. */
function readSignedHeader(value: string, key: Uint8Array, nowMs: number): JWTPayload | null {
  const [version, encodedClaims, encodedMac, ...rest] = value.split(".");
  if (version !== SIGNED_HEADER_VERSION || !encodedClaims || !encodedMac || rest.length > 0) return null;
  const mac = base64ToBytes(encodedMac);
  const expected = hmacSha256(key, utf8.encode(`${version}.${encodedClaims}`));
  if (!mac || !constantTimeEqual(mac, expected)) return null;
  const claimsBytes = base64ToBytes(encodedClaims);
  if (!claimsBytes) return null;
  try {
    const claims = JSON.parse(utf8.decode(claimsBytes)) as unknown;
    if (typeof claims !== "object" || claims === null) return null;
    const payload = claims as JWTPayload;
    // The header lives no longer than the token it came from, so a copied header cannot outlive the session.
    if (typeof payload.exp !== "number" || payload.exp * 1000 <= nowMs || typeof payload.sub !== "string") return null;
    return payload;
  } catch {
    return null;
  }
}

/**
 * getAuth, plus headers carrying it (`x-wacht-auth`, signed) for middleware to pass on to the
 * handler, which reads them back with authFromHeaders. A signed-out request gets no header.
 */
export async function authenticateRequest(request: Request, options: WachtServerOptions = {}): Promise<{ auth: WachtAuth; headers: Headers }> {
  const token = bearerTokenOf(request);
  const payload = token ? await verifyAuthToken(token, options) : null;
  const headers = new Headers();
  const key = payload ? authHeaderKey(options) : null;
  if (payload && key) {
    const claims: JWTPayload = {
      sub: payload.sub,
      sid: payload.sid ?? payload.sess,
      organization: payload.organization,
      workspace: payload.workspace,
      organization_permissions: payload.organization_permissions ?? payload.permissions?.organization,
      workspace_permissions: payload.workspace_permissions ?? payload.permissions?.workspace,
      exp: payload.exp,
    };
    headers.set(AUTH_HEADER, signHeader(claims, key));
  }
  return { auth: createAuth(payload), headers };
}

/**
 * The auth authenticateRequest put in `x-wacht-auth`, once its signature and expiry are checked.
 * A missing, forged, expired or malformed header is the signed-out auth, never an exception.
 * Middleware and handler must share the signing key: same process, or the same
 * `authHeaderSecret` / WACHT_AUTH_HEADER_SECRET on both sides.
 */
export function authFromHeaders(headers: Headers, options: WachtServerOptions = {}): WachtAuth {
  const value = headers.get(AUTH_HEADER);
  const key = value ? authHeaderKey(options) : null;
  return createAuth(value && key ? readSignedHeader(value, key, Date.now()) : null);
}
