import { Type, type Static } from "typebox";
import { Id, Nullable, Timestamp, toNullableTimestamp, toTimestamp } from "../http/common.schemas.js";
import type { Passkey } from "./passkeys.types.js";

/** The admin view of a passkey, in the reference shape: the credential id, public key and AAGUID never leave. */
export const UserPasskeySchema = Type.Object(
  {
    id: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
    user_id: Type.String(),
    name: Type.String(),
    sign_count: Type.Integer({ minimum: 0 }),
    transports: Type.Array(Type.String()),
    last_used_at: Nullable(Timestamp),
    backed_up: Type.Boolean(),
    device_type: Type.Union([Type.Literal("platform"), Type.Literal("cross-platform")]),
  },
  { additionalProperties: false },
);

export const toPasskeyJson = (passkey: Passkey): Static<typeof UserPasskeySchema> => ({
  id: passkey.id,
  created_at: toTimestamp(passkey.createdAt),
  updated_at: toTimestamp(passkey.updatedAt),
  user_id: passkey.userId,
  name: passkey.name,
  sign_count: passkey.signCount,
  transports: passkey.transports,
  last_used_at: toNullableTimestamp(passkey.lastUsedAt),
  backed_up: passkey.backedUp,
  device_type: passkey.deviceType,
});

export const PasskeyParamsSchema = Type.Object({ userId: Id, passkeyId: Id });

const PasskeyName = Type.String({ maxLength: 100, description: "Trimmed; must not be empty" });

export const RenamePasskeyBodySchema = Type.Object({ name: PasskeyName }, { additionalProperties: false });

const Base64Url = Type.String({ maxLength: 65536, pattern: "^[A-Za-z0-9_-]*={0,2}$" });

/** What navigator.credentials.create() resolved to, as JSON (PublicKeyCredential.toJSON()). */
export const RegistrationResponseSchema = Type.Object(
  {
    id: Base64Url,
    rawId: Base64Url,
    type: Type.Literal("public-key"),
    response: Type.Object(
      {
        clientDataJSON: Base64Url,
        attestationObject: Base64Url,
        transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10 })),
      },
      { additionalProperties: true },
    ),
    clientExtensionResults: Type.Object({}, { additionalProperties: true }),
    authenticatorAttachment: Type.Optional(Type.Union([Type.Literal("platform"), Type.Literal("cross-platform")])),
  },
  { additionalProperties: true },
);

/** What navigator.credentials.get() resolved to, as JSON. */
export const AuthenticationResponseSchema = Type.Object(
  {
    id: Base64Url,
    rawId: Base64Url,
    type: Type.Literal("public-key"),
    response: Type.Object(
      {
        clientDataJSON: Base64Url,
        authenticatorData: Base64Url,
        signature: Base64Url,
        userHandle: Type.Optional(Base64Url),
      },
      { additionalProperties: true },
    ),
    clientExtensionResults: Type.Object({}, { additionalProperties: true }),
    authenticatorAttachment: Type.Optional(Type.Union([Type.Literal("platform"), Type.Literal("cross-platform")])),
  },
  { additionalProperties: true },
);

export const FinishRegistrationBodySchema = Type.Object(
  { response: RegistrationResponseSchema, name: Type.Optional(PasskeyName) },
  { additionalProperties: false },
);

export const PasskeySignInBodySchema = Type.Object({ response: AuthenticationResponseSchema }, { additionalProperties: false });

/** WebAuthn options JSON, passed to the browser as is (PublicKeyCredential.parse…OptionsFromJSON). */
export const WebauthnOptionsSchema = Type.Object({ challenge: Type.String() }, { additionalProperties: true });
