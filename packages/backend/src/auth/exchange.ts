import { WachtConnectionError, WachtError } from "../core/errors.js";
import { sendRequestWithResponse } from "../core/request.js";
import { frontendTransportOf } from "./frontend-transport.js";
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

interface SessionTokenAnswer {
  data?: { token?: unknown; expires?: unknown };
}

/**
 * From an app's backend: trades the session credential from the browser's `__session` cookie for
 * a session token, at the frontend API's GET /session/token. A refusal (the session ended) is a
 * result with null token; no answer at all (the frontend API is down) throws WachtConnectionError.
 */
export async function exchangeSessionForAuthToken(
  sessionToken: string,
  options: WachtServerOptions = {},
  isDevSession = false,
  exchangeOptions: { forwardedFor?: string | null; signal?: AbortSignal } = {},
): Promise<SessionExchangeResult> {
  const headers: Record<string, string> = {};
  const forwardedFor = exchangeOptions.forwardedFor?.split(",")[0]?.trim();
  if (forwardedFor) headers["x-wacht-forwarded-for"] = forwardedFor;
  if (!isDevSession) headers["cookie"] = `${options.sessionCookieName || "__session"}=${sessionToken}`;
  const query = isDevSession ? { __dev_session__: sessionToken } : undefined;
  try {
    const answer = await sendRequestWithResponse<SessionTokenAnswer | undefined>(frontendTransportOf(options), "GET", "/session/token", undefined, {
      headers,
      query,
      signal: exchangeOptions.signal,
    });
    const data = typeof answer.data === "object" && answer.data !== null ? answer.data.data : undefined;
    return {
      authToken: typeof data?.token === "string" && data.token ? data.token : null,
      authTokenExpiresAt: typeof data?.expires === "number" ? data.expires : null,
      nextDevSession: answer.headers.get("x-development-session"),
      upstreamSessionSetCookie: answer.headers.get("set-cookie"),
    };
  } catch (error) {
    // An HTTP refusal is an answer about the session, not a failure: pass its Set-Cookie on.
    if (!(error instanceof WachtError) || error instanceof WachtConnectionError || error.statusCode === undefined) throw error;
    return { authToken: null, authTokenExpiresAt: null, nextDevSession: null, upstreamSessionSetCookie: error.headers?.get("set-cookie") ?? null };
  }
}
