import type { FastifyReply, FastifyRequest } from "fastify";
import { readCookie } from "../http/session-cookie.js";
import { PENDING_SIGN_IN_LIFETIME_MS } from "./second-factor-gate.js";

/**
 * A sign-in that ends on a redirect (a social sign-in) cannot hand its pending sign-in's id over
 * in a JSON body, and in the URL it would reach the app's page, its history, its logs and every
 * third party a Referer goes to. It travels in this cookie instead: HttpOnly (no script on the
 * app's page reads it), sent only to /sign-in (POST /sign-in/second-factor), and gone after the
 * pending sign-in's 10 minutes or its completion.
 */
export const PENDING_SIGN_IN_COOKIE_NAME = "__wacht_sign_in";

const cookieOf = (value: string, maxAgeSeconds: number, isHttps: boolean) =>
  [`${PENDING_SIGN_IN_COOKIE_NAME}=${value}`, "Path=/sign-in", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeSeconds}`, ...(isHttps ? ["Secure"] : [])].join(
    "; ",
  );

export function setPendingSignInCookie(reply: FastifyReply, signInId: string, isHttps: boolean): void {
  reply.header("set-cookie", cookieOf(signInId, PENDING_SIGN_IN_LIFETIME_MS / 1000, isHttps));
}

export function clearPendingSignInCookie(reply: FastifyReply, isHttps: boolean): void {
  reply.header("set-cookie", cookieOf("", 0, isHttps));
}

export const readPendingSignInCookie = (request: FastifyRequest): string | null => readCookie(request, PENDING_SIGN_IN_COOKIE_NAME);
