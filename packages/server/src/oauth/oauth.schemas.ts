import { Type, type Static } from "typebox";
import { Id, Nullable, toNullableTimestamp } from "../http/common.schemas.js";
import type { FreshAccessToken } from "./oauth.service.js";

export const OauthProviderParamsSchema = Type.Object({ provider: Type.String({ minLength: 1, maxLength: 64, pattern: "^[a-z0-9_]+$" }) });

export const OauthStartQuerySchema = Type.Object(
  {
    redirect_url: Type.Optional(Type.String({ maxLength: 2048, description: "Where to return; must be in the deployment's allowed redirect URLs" })),
    intent: Type.Optional(Type.Union([Type.Literal("sign_in"), Type.Literal("link")], { description: "link: attach the provider to the signed-in user" })),
  },
  { additionalProperties: true },
);

/** RFC 6749 §4.1.2: what the provider sends back, by query string or (form_post) by form body. */
export const OauthCallbackParamsSchema = Type.Object(
  {
    code: Type.Optional(Type.String({ maxLength: 4096 })),
    state: Type.Optional(Type.String({ maxLength: 512 })),
    error: Type.Optional(Type.String({ maxLength: 256 })),
    error_description: Type.Optional(Type.String({ maxLength: 2048 })),
    iss: Type.Optional(Type.String({ maxLength: 2048, description: "RFC 9207: the issuer that answered" })),
  },
  { additionalProperties: true },
);
export type OauthCallbackParams = Static<typeof OauthCallbackParamsSchema>;

export const OwnConnectionParamsSchema = Type.Object({ connectionId: Id });
export const AccessTokenParamsSchema = Type.Object({ userId: Id, connectionId: Id });

export const OauthAccessTokenSchema = Type.Object(
  {
    connection_id: Type.String(),
    provider: Type.String(),
    access_token: Type.String({ description: "The provider's access token, for calling its API on the user's behalf" }),
    token_type: Type.String(),
    scopes: Type.Array(Type.String()),
    expires_at: Nullable(Type.String({ format: "date-time" })),
  },
  { additionalProperties: false },
);

export const toAccessTokenJson = (token: FreshAccessToken): Static<typeof OauthAccessTokenSchema> => ({
  connection_id: token.connection.id,
  provider: token.connection.provider,
  access_token: token.accessToken,
  token_type: token.tokenType,
  scopes: token.scopes,
  expires_at: toNullableTimestamp(token.expiresAt),
});
