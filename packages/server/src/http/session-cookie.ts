import type { FastifyReply, FastifyRequest } from "fastify";
import { bearerTokenOf } from "./bearer-token.js";

/** The cookie the published client forwards to GET /session/token. */
export const SESSION_COOKIE_NAME = "__session";

/** A cookie's value by name from the Cookie header, or null. */
export function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const pair of header.split(";")) {
    const separator = pair.indexOf("=");
    if (separator === -1 || pair.slice(0, separator).trim() !== name) continue;
    let value = pair.slice(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value;
  }
  return null;
}

export interface PresentedCredential {
  credential: string;
  /** Where it came from: the answer re-sets or clears the cookie only when a cookie was sent. */
  source: "cookie" | "bearer";
}

/** The session credential of a frontend request: the `__session` cookie, else `Authorization: Bearer` (non-browser clients). */
export function readSessionCredential(request: FastifyRequest): PresentedCredential | null {
  const cookie = readCookie(request, SESSION_COOKIE_NAME);
  if (cookie) return { credential: cookie, source: "cookie" };
  const bearer = bearerTokenOf(request.headers.authorization);
  return bearer ? { credential: bearer, source: "bearer" } : null;
}

/** HttpOnly keeps page scripts away from it; SameSite=Lax keeps it off cross-site POSTs. */
export function setSessionCookie(reply: FastifyReply, credential: string, maxAgeSeconds: number, isHttps: boolean): void {
  const attributes = [`${SESSION_COOKIE_NAME}=${credential}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeSeconds}`];
  if (isHttps) attributes.push("Secure");
  reply.header("set-cookie", attributes.join("; "));
}

export function clearSessionCookie(reply: FastifyReply, isHttps: boolean): void {
  setSessionCookie(reply, "", 0, isHttps);
}
