import { ApiError, apiErrorOf } from "../lib/api-error";

/**
 * The console's one way to the server: same-origin fetches that carry the HttpOnly session
 * cookie (the API key itself is never in the browser after sign-in). Writes carry the CSRF
 * token the session answer gave, which is kept in memory only.
 */
let csrfToken: string | null = null;
let onSignedOut: ((reason: string) => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when an API answer says the console session is over (idle expiry, key revoked, signed out elsewhere). */
export function onSessionEnded(handler: ((reason: string) => void) | null): void {
  onSignedOut = handler;
}

export type Body = Record<string, unknown> | FormData | undefined;

export async function request<T>(method: string, path: string, body?: Body, options: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["x-wacht-csrf"] = csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin", cache: "no-store" });
  } catch (error) {
    throw new ApiError(0, "network_error", `Could not reach the server (${(error as Error).message}).`);
  }
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const error = apiErrorOf(response.status, json);
    if (response.status === 401 && !options.quiet401) onSignedOut?.(error.message);
    throw error;
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body?: Body) => request<T>("POST", path, body),
  patch: <T>(path: string, body?: Body) => request<T>("PATCH", path, body),
  delete: <T>(path: string) => request<T>("DELETE", path),
};

/** A path segment from an id, so an odd id can never change the route. */
export const segment = (id: string) => encodeURIComponent(id);
