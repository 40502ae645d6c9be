import { frontendApiUrlOf } from "./publishable-key.js";
import type { WachtServerOptions } from "./types.js";

export interface SessionExchangeResult {
  /** A session token (JWT), or null when the session is not valid. */
  authToken: string | null;
  /** Its `exp`, in Unix seconds. */
  authTokenExpiresAt: number | null;
  nextDevSession: string | null;
  /** The frontend API's Set-Cookie (it clears a dead `__session`): forward it to the browser. */
  upstreamSessionSetCookie: string | null;
}

/**
 * From an app's backend: trades the session credential from the browser's `__session` cookie for
 * a session token, at the frontend API's GET /session/token.
 */
export async function exchangeSessionForAuthToken(
  sessionToken: string,
  options: WachtServerOptions = {},
  isDevSession = false,
  exchangeOptions: { forwardedFor?: string | null } = {},
): Promise<SessionExchangeResult> {
  const endpoint = new URL(`${frontendApiUrlOf(options)}/session/token`);
  const headers = new Headers({ Accept: "application/json" });
  const forwardedFor = exchangeOptions.forwardedFor?.split(",")[0]?.trim();
  if (forwardedFor) headers.set("X-Wacht-Forwarded-For", forwardedFor);
  if (isDevSession) endpoint.searchParams.set("__dev_session__", sessionToken);
  else headers.set("Cookie", `${options.sessionCookieName || "__session"}=${sessionToken}`);
  const response = await fetch(endpoint.toString(), { method: "GET", headers, credentials: "omit" });
  const upstreamSessionSetCookie = response.headers.get("set-cookie");
  if (!response.ok) return { authToken: null, authTokenExpiresAt: null, nextDevSession: null, upstreamSessionSetCookie };
  const json = (await response.json()) as { data?: { token?: unknown; expires?: unknown } } | null;
  return {
    authToken: typeof json?.data?.token === "string" ? json.data.token : null,
    authTokenExpiresAt: typeof json?.data?.expires === "number" ? json.data.expires : null,
    nextDevSession: response.headers.get("x-development-session"),
    upstreamSessionSetCookie,
  };
}
