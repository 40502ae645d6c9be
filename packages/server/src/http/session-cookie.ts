import type { FastifyReply, FastifyRequest } from "fastify";
import { bearerTokenOf } from "./bearer-token.js";

/** The cookie over http, and the name the published client forwards to GET /session/token. */
export const SESSION_COOKIE_NAME = "__session";
/**
 * The cookie over https. Browsers accept a `__Host-` cookie only from this exact host, over https,
 * with Path=/ and no Domain, so a sibling subdomain cannot plant (toss) one beside ours.
 */
export const HOST_SESSION_COOKIE_NAME = "__Host-session";

/** A cookie's value by name, or null when it is absent or sent more than once: a planted twin is believed by neither. */
export function readCookie(request: FastifyRequest, name: string): string | null {
  const values = readCookies(request, name);
  return values.length === 1 ? values[0]! : null;
}

/** Every value of a cookie name in the Cookie header (a browser sends one per matching cookie). */
function readCookies(request: FastifyRequest, name: string): string[] {
  const header = request.headers.cookie;
  if (!header) return [];
  const values: string[] = [];
  for (const pair of header.split(";")) {
    const separator = pair.indexOf("=");
    if (separator === -1 || pair.slice(0, separator).trim() !== name) continue;
    let value = pair.slice(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (value !== "") values.push(value);
  }
  return values;
}

/** The one value of a cookie, or null when it is absent or sent with different values (one of them planted: none is trusted). */
function readSingleCookie(request: FastifyRequest, name: string): string | null | "ambiguous" {
  const distinct = [...new Set(readCookies(request, name))];
  if (distinct.length === 0) return null;
  return distinct.length === 1 ? distinct[0]! : "ambiguous";
}

export interface PresentedCredential {
  credential: string;
  /** Where it came from: the answer re-sets or clears the cookie only when a cookie was sent. */
  source: "cookie" | "bearer";
}

/**
 * The session credential of a frontend request. `Authorization: Bearer` first: only a client
 * that chose to send it can (a page cannot make a browser add it cross-site), so a stale or planted
 * cookie cannot mask it. Then the `__Host-session` cookie, then `__session`. A cookie name sent
 * with two different values (a subdomain planted a second `__session`) is not trusted at all.
 */
export function readSessionCredential(request: FastifyRequest): PresentedCredential | null {
  const bearer = bearerTokenOf(request.headers.authorization);
  if (bearer) return { credential: bearer, source: "bearer" };
  for (const name of [HOST_SESSION_COOKIE_NAME, SESSION_COOKIE_NAME]) {
    const value = readSingleCookie(request, name);
    if (value === "ambiguous") return null;
    if (value !== null) return { credential: value, source: "cookie" };
  }
  return null;
}

/** HttpOnly keeps page scripts away from it; SameSite=Lax keeps it off cross-site POSTs; over https it is a `__Host-` cookie. */
export function setSessionCookie(reply: FastifyReply, credential: string, maxAgeSeconds: number, isHttps: boolean): void {
  const cookie = (name: string, value: string, maxAge: number) =>
    [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAge}`, ...(isHttps ? ["Secure"] : [])].join("; ");
  // Over https the plain name is cleared, so a cookie from before (or planted) does not linger beside ours.
  reply.header(
    "set-cookie",
    isHttps
      ? [cookie(HOST_SESSION_COOKIE_NAME, credential, maxAgeSeconds), cookie(SESSION_COOKIE_NAME, "", 0)]
      : cookie(SESSION_COOKIE_NAME, credential, maxAgeSeconds),
  );
}

export function clearSessionCookie(reply: FastifyReply, isHttps: boolean): void {
  setSessionCookie(reply, "", 0, isHttps);
}
