import type { FastifyRequest } from "fastify";

/**
 * The URL clients reach this server at, for links we hand out (profile pictures). Behind a load
 * balancer set WACHT_PUBLIC_URL; otherwise the request's own Host header is used.
 */
export function publicUrlOf(request: FastifyRequest): string {
  const configured = request.server.config.publicUrl;
  return configured ? configured.replace(/\/+$/, "") : `${request.protocol}://${request.host}`;
}
