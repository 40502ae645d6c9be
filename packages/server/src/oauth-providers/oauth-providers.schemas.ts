import { Type, type Static } from "typebox";
import { Nullable, Timestamp, toTimestamp } from "../http/common.schemas.js";
import { effectiveIssuerOf, type OauthProvider, type OauthSettings } from "./oauth-providers.service.js";

const ProviderName = Type.String({ minLength: 1, maxLength: 64, description: "google_oauth, github_oauth, microsoft_oauth, apple_oauth or oidc_<slug>" });
const Scopes = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 30 });

/** A configured provider as the API shows it: whether a secret is stored, never the secret. */
export const OauthProviderSchema = Type.Object(
  {
    provider: Type.String(),
    client_id: Type.String(),
    issuer: Nullable(Type.String({ description: "OpenID Connect issuer, or the base URL of a GitHub server" })),
    scopes: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    has_client_secret: Type.Boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false, description: "The client secret is never returned" },
);

export const CreateOauthProviderBodySchema = Type.Object(
  {
    provider: ProviderName,
    client_id: Type.String({ minLength: 1, maxLength: 512 }),
    client_secret: Type.String({ minLength: 1, maxLength: 4096 }),
    issuer: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    scopes: Type.Optional(Scopes),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateOauthProviderBody = Static<typeof CreateOauthProviderBodySchema>;

export const UpdateOauthProviderBodySchema = Type.Object(
  {
    client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    client_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    issuer: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    scopes: Type.Optional(Scopes),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateOauthProviderBody = Static<typeof UpdateOauthProviderBodySchema>;

export const ProviderParamsSchema = Type.Object({ provider: ProviderName });

export const OauthSettingsSchema = Type.Object(
  {
    redirect_urls: Type.Array(Type.String(), { description: "Where a social sign-in may return to: origin and path must match exactly" }),
    allow_sign_up: Type.Boolean({ description: "Whether a social sign-in may create a new user" }),
  },
  { additionalProperties: false },
);

export const UpdateOauthSettingsBodySchema = Type.Object(
  {
    redirect_urls: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { maxItems: 100 })),
    allow_sign_up: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const toOauthProviderJson = (provider: OauthProvider): Static<typeof OauthProviderSchema> => ({
  provider: provider.provider,
  client_id: provider.clientId,
  issuer: effectiveIssuerOf(provider),
  scopes: provider.scopes,
  enabled: provider.enabled,
  // Every stored provider has one (the column is NOT NULL); the field says so without showing it.
  has_client_secret: true,
  created_at: toTimestamp(provider.createdAt),
  updated_at: toTimestamp(provider.updatedAt),
});

export const toOauthSettingsJson = (settings: OauthSettings): Static<typeof OauthSettingsSchema> => ({
  redirect_urls: settings.redirectUrls,
  allow_sign_up: settings.allowSignUp,
});
