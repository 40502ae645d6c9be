import type { FastifyReply } from "fastify";
import { setSessionCookie } from "../http/session-cookie.js";
import type { CompletedSignIn } from "./complete-sign-in.js";

/** The answer of every sign-in that ends in a session: the session cookie, and the same values in the body. */
export function answerWithSession(reply: FastifyReply, lifetimeSeconds: number, isHttps: boolean, { session, credential }: CompletedSignIn) {
  setSessionCookie(reply, credential, lifetimeSeconds, isHttps);
  reply.header("cache-control", "no-store");
  return { status: "complete" as const, session_id: session.id, user_id: session.userId, token: credential, expires: Math.floor(session.expiresAt / 1000) };
}
