import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * The console's cookie. On https it carries the `__Host-` prefix, which browsers accept only
 * with Secure, Path=/ and no Domain: no subdomain can plant or overwrite it. SameSite=Strict keeps
 * it off every request another site starts.
 */
export function consoleCookieName(isHttps: boolean): string {
  return isHttps ? "__Host-wacht_console" : "wacht_console";
}

/**
 * The cookie's value, or null when absent — and also when it is sent more than once: which of two
 * same-named cookies a browser lists first is not a security boundary, so neither is believed.
 */
export function readConsoleCookie(request: FastifyRequest, isHttps: boolean): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  const name = consoleCookieName(isHttps);
  const values = header
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
  return values.length === 1 && values[0] ? values[0] : null;
}

export function setConsoleCookie(reply: FastifyReply, credential: string, maxAgeSeconds: number, isHttps: boolean): void {
  const attributes = [`${consoleCookieName(isHttps)}=${credential}`, "Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${maxAgeSeconds}`];
  if (isHttps) attributes.push("Secure");
  reply.header("set-cookie", attributes.join("; "));
}

export function clearConsoleCookie(reply: FastifyReply, isHttps: boolean): void {
  setConsoleCookie(reply, "", 0, isHttps);
}

/** Whether the request reached us over https (directly, or through a trusted proxy). */
export const isHttpsRequest = (request: FastifyRequest) => request.protocol === "https";
