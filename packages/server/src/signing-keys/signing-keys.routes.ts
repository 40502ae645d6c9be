import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { JwksSchema, toJwksJson } from "./signing-keys.schemas.js";
import { listPublishedKeys } from "./signing-keys.service.js";

/** Frontend API: the JWKS apps verify session tokens with, at the path the published client fetches. */
export const jwksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/.well-known/jwks.json",
    { schema: { tags: ["frontend"], summary: "Public keys of session tokens", security: [], response: { 200: JwksSchema } } },
    async (request, reply) => {
      const keys = await listPublishedKeys(app.db, request.frontend.deployment.id, {
        nowMs: Date.now(),
        tokenLifetimeSeconds: app.config.sessionTokenLifetimeSeconds,
        secretBox: app.secretBox,
      });
      // Short: a rotated-in key must reach verifiers that cache by HTTP rules soon.
      reply.header("cache-control", "public, max-age=60");
      return toJwksJson(keys);
    },
  );
};
