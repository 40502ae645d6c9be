import { WachtAuthError } from "./auth-error.js";
import type { JWTPayload, PermissionCheck, ProtectOptions, WachtAuth, WachtServerOptions } from "./types.js";
import { verifyAuthToken } from "./verify.js";

/** Where authenticateRequest puts the auth for code further down (middleware → handler). */
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

/** getAuth, plus headers carrying it (`x-wacht-auth`) for middleware to pass on; read them back with authFromHeaders. */
export async function authenticateRequest(request: Request, options: WachtServerOptions = {}): Promise<{ auth: WachtAuth; headers: Headers }> {
  const auth = await getAuth(request, options);
  const headers = new Headers();
  headers.set(
    AUTH_HEADER,
    JSON.stringify({
      userId: auth.userId,
      sessionId: auth.sessionId,
      organizationId: auth.organizationId,
      workspaceId: auth.workspaceId,
      organizationPermissions: auth.organizationPermissions,
      workspacePermissions: auth.workspacePermissions,
    }),
  );
  return { auth, headers };
}

/**
 * The auth authenticateRequest put in headers. It was verified upstream and is only as
 * trustworthy as the path it came by: strip `x-wacht-auth` from incoming client requests.
 */
export function authFromHeaders(headers: Headers): WachtAuth {
  const refuse = async () => {
    throw new Error("Cannot use protect() in this context.");
  };
  const raw = headers.get(AUTH_HEADER);
  if (!raw) {
    return { userId: null, sessionId: null, organizationId: null, workspaceId: null, organizationPermissions: [], workspacePermissions: [], protect: refuse, has: () => false };
  }
  const data = JSON.parse(raw) as Omit<WachtAuth, "protect" | "has">;
  return {
    ...data,
    protect: refuse,
    has: (check) => {
      if (!data.userId) return false;
      if (check.organizationId && data.organizationId !== check.organizationId) return false;
      if (check.workspaceId && data.workspaceId !== check.workspaceId) return false;
      if (!check.permission) return true;
      return asList(check.permission).some((permission) => data.organizationPermissions?.includes(permission) || data.workspacePermissions?.includes(permission));
    },
  };
}
