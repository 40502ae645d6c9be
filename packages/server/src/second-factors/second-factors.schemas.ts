import { Type, type Static } from "typebox";
import { Timestamp, toTimestamp } from "../http/common.schemas.js";
import type { TotpAuthenticator } from "./second-factors.types.js";

export const CreateAuthenticatorBodySchema = Type.Object(
  {
    secret: Type.String({
      maxLength: 512,
      description: "Base32 (spaces and '-' allowed), at least 16 bytes once decoded; stored encrypted, never returned again",
    }),
    account_name: Type.Optional(
      Type.String({
        maxLength: 256,
        description: "The label shown in the authenticator app; no ':'. Defaults to the primary email, username, full name or user-{id}",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateAuthenticatorBody = Static<typeof CreateAuthenticatorBodySchema>;

export const CreateAuthenticatorResponseSchema = Type.Object(
  {
    id: Type.String(),
    otp_url: Type.String({ description: "otpauth://totp/{issuer}:{account}?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30 — shown once" }),
  },
  { additionalProperties: false },
);

export const BackupCodesResponseSchema = Type.Object(
  {
    backup_codes: Type.Array(Type.String({ pattern: "^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$" }), {
      minItems: 12,
      maxItems: 12,
      description: "Shown once; each works once",
    }),
  },
  { additionalProperties: false },
);

export const VerifyTotpBodySchema = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 64, description: "A 6-digit TOTP code, or a backup code (XXXX-XXXX)" }) },
  { additionalProperties: false },
);

export const VerifyTotpResponseSchema = Type.Object(
  { verified: Type.Literal(true), code_type: Type.Union([Type.Literal("totp"), Type.Literal("backup_code")]) },
  { additionalProperties: false },
);

/**
 * An authenticator as webhooks describe it (authenticator.created): the create answer's id with
 * whose it is and its label, never the secret or the otpauth URL that embeds it.
 */
export const AuthenticatorSchema = Type.Object(
  { id: Type.String(), user_id: Type.String(), account_name: Type.String(), created_at: Timestamp },
  { additionalProperties: false },
);

export const toAuthenticatorJson = (authenticator: TotpAuthenticator): Static<typeof AuthenticatorSchema> => ({
  id: authenticator.id,
  user_id: authenticator.userId,
  account_name: authenticator.accountName,
  created_at: toTimestamp(authenticator.createdAt),
});

/** A new set of backup codes as webhooks describe it (backup_codes.regenerated): how many, never the codes or their hashes. */
export const BackupCodesIssuedSchema = Type.Object(
  { user_id: Type.String(), count: Type.Integer({ minimum: 0 }), created_at: Timestamp },
  { additionalProperties: false },
);

export const toBackupCodesIssuedJson = (userId: string, count: number, createdAtMs: number): Static<typeof BackupCodesIssuedSchema> => ({
  user_id: userId,
  count,
  created_at: toTimestamp(createdAtMs),
});
