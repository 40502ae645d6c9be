import { Type, type Static } from "typebox";
import type { PublicSigningKey } from "./signing-keys.service.js";

// Only these members leave the server: a private JWK's `d` has no place here, so it cannot be serialized.
export const PublicJwkSchema = Type.Object(
  {
    kty: Type.String(),
    crv: Type.String(),
    x: Type.String(),
    y: Type.String(),
    kid: Type.String(),
    alg: Type.String(),
    use: Type.String(),
  },
  { additionalProperties: false },
);

export const JwksSchema = Type.Object({ keys: Type.Array(PublicJwkSchema) }, { description: "The public keys session tokens are signed with" });

export function toJwksJson(keys: PublicSigningKey[]): Static<typeof JwksSchema> {
  return {
    keys: keys.map(({ id, algorithm, publicJwk }) => ({
      kty: String(publicJwk.kty),
      crv: String(publicJwk.crv),
      x: String(publicJwk.x),
      y: String(publicJwk.y),
      kid: id,
      alg: algorithm,
      use: "sig",
    })),
  };
}
