import { Type, type Static } from "typebox";
import { Id, Nullable, Timestamp, toTimestamp } from "../http/common.schemas.js";
import type { SocialConnection } from "./social-connections.types.js";

export const UserSocialConnectionSchema = Type.Object(
  {
    id: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
    user_id: Type.String(),
    user_email_address_id: Nullable(Type.String()),
    provider: Type.String({ description: "e.g. google_oauth, github_oauth" }),
    provider_user_id: Type.String(),
    email_address: Nullable(Type.String()),
  },
  { additionalProperties: false, description: "OAuth tokens are never returned" },
);

export const LinkSocialConnectionBodySchema = Type.Object(
  {
    provider: Type.String({ maxLength: 64 }),
    provider_user_id: Type.String({ maxLength: 255 }),
    email_address: Type.Optional(Type.String({ maxLength: 320 })),
  },
  { additionalProperties: false },
);
export type LinkSocialConnectionBody = Static<typeof LinkSocialConnectionBodySchema>;

export const ConnectionIdParamsSchema = Type.Object({ userId: Id, connectionId: Id });

export const toSocialConnectionJson = (connection: SocialConnection): Static<typeof UserSocialConnectionSchema> => ({
  id: connection.id,
  created_at: toTimestamp(connection.createdAt),
  updated_at: toTimestamp(connection.updatedAt),
  user_id: connection.userId,
  user_email_address_id: connection.userEmailAddressId,
  provider: connection.provider,
  provider_user_id: connection.providerUserId,
  email_address: connection.emailAddress,
});
