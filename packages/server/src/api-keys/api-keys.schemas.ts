import { Type, type Static } from "typebox";
import { Id, Nullable, Timestamp, toNullableTimestamp, toTimestamp } from "../http/common.schemas.js";
import type { ApiKey } from "./api-keys.service.js";

export const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    deployment_id: Type.String(),
    name: Type.String(),
    display_prefix: Type.String({ description: "The key's first characters, to tell keys apart; the key itself is never shown again" }),
    created_at: Timestamp,
    last_used_at: Nullable(Timestamp),
    revoked_at: Nullable(Timestamp),
  },
  { additionalProperties: false },
);

export const CreateApiKeyBodySchema = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export type CreateApiKeyBody = Static<typeof CreateApiKeyBodySchema>;

export const CreatedApiKeySchema = Type.Object(
  { api_key: ApiKeySchema, secret: Type.String({ description: "The key itself: shown once, store it now" }) },
  { additionalProperties: false },
);

export const ApiKeyIdParamsSchema = Type.Object({ keyId: Id });

export const toApiKeyJson = (key: ApiKey): Static<typeof ApiKeySchema> => ({
  id: key.id,
  deployment_id: key.deploymentId,
  name: key.name,
  display_prefix: key.displayPrefix,
  created_at: toTimestamp(key.createdAt),
  last_used_at: toNullableTimestamp(key.lastUsedAt),
  revoked_at: toNullableTimestamp(key.revokedAt),
});
