import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors } from "../errors.js";
import { constantTimeEqual } from "../secrets.js";
import { isHttpsRequest, readConsoleCookie, setConsoleCookie } from "./console-cookie.js";
import { authenticateConsoleSession, type AuthenticatedConsoleSession } from "./console-sessions.service.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when the request was authenticated by the console's cookie rather than a Bearer key. */
    consoleSession: AuthenticatedConsoleSession | null;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A cookie rides along on requests other sites make, so a state-changing request authenticated by
 * the console cookie must also prove it comes from the console itself: the CSRF token only the
 * console's own page can read, and (when the browser says) a same-origin fetch.
 */
function checkSameOriginIntent(request: FastifyRequest, session: AuthenticatedConsoleSession): void {
  if (SAFE_METHODS.has(request.method)) return;
  const fetchSite = request.headers["sec-fetch-site"];
  if (fetchSite !== undefined && fetchSite !== "same-origin") throw csrfRefused("the request came from another site");
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) throw csrfRefused("its Origin is another site");
  const token = request.headers["x-wacht-csrf"];
  if (typeof token !== "string" || !constantTimeEqual(token, session.csrfToken)) throw csrfRefused("the x-wacht-csrf header is missing or wrong");
}

const csrfRefused = (why: string) => errors.csrf_failed(why);

/** The console session the request's cookie proves (checked against CSRF for writes), or null when it carries none that is valid. */
export async function authenticateConsoleRequest(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<AuthenticatedConsoleSession | null> {
  const isHttps = isHttpsRequest(request);
  const credential = readConsoleCookie(request, isHttps);
  if (!credential) return null;
  const session = await authenticateConsoleSession(app.db, credential, { nowMs: Date.now(), idleSeconds: app.config.consoleIdleSeconds });
  if (!session) return null;
  checkSameOriginIntent(request, session);
  if (session.wasExtended) setConsoleCookie(reply, credential, app.config.consoleIdleSeconds, isHttps);
  return session;
}
