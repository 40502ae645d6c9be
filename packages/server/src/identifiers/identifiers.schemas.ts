import { Type, type Static } from "typebox";
import { Id, Nullable, Timestamp, toNullableTimestamp, toTimestamp } from "../http/common.schemas.js";
import type { UserEmail, UserPhone } from "./identifiers.types.js";

export const UserEmailSchema = Type.Object(
  {
    id: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
    deployment_id: Type.String(),
    user_id: Type.String(),
    email: Type.String(),
    is_primary: Type.Boolean(),
    verified: Type.Boolean(),
    verified_at: Nullable(Timestamp),
    verification_strategy: Type.String({ description: '"otp" for admin-made emails, "oauth_<provider>" for OAuth ones' }),
  },
  { additionalProperties: false },
);

export const UserPhoneSchema = Type.Object(
  {
    id: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
    user_id: Type.String(),
    phone_number: Type.String({ description: "E.164" }),
    country_code: Type.String(),
    is_primary: Type.Boolean(),
    verified: Type.Boolean(),
    verified_at: Nullable(Timestamp),
  },
  { additionalProperties: false },
);

export const AddEmailBodySchema = Type.Object(
  { email: Type.String({ maxLength: 320 }), verified: Type.Optional(Type.Boolean()), is_primary: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type AddEmailBody = Static<typeof AddEmailBodySchema>;

export const UpdateEmailBodySchema = Type.Partial(AddEmailBodySchema, { additionalProperties: false });
export type UpdateEmailBody = Static<typeof UpdateEmailBodySchema>;

const CountryCode = Type.String({ maxLength: 8, description: 'ISO 3166 region ("US") or calling code ("+1")' });

export const AddPhoneBodySchema = Type.Object(
  {
    phone_number: Type.String({ maxLength: 64 }),
    country_code: Type.Optional(CountryCode),
    verified: Type.Optional(Type.Boolean()),
    is_primary: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AddPhoneBody = Static<typeof AddPhoneBodySchema>;

export const UpdatePhoneBodySchema = Type.Partial(AddPhoneBodySchema, { additionalProperties: false });
export type UpdatePhoneBody = Static<typeof UpdatePhoneBodySchema>;

export const EmailIdParamsSchema = Type.Object({ userId: Id, emailId: Id });
export const PhoneIdParamsSchema = Type.Object({ userId: Id, phoneId: Id });

export const toEmailJson = (email: UserEmail): Static<typeof UserEmailSchema> => ({
  id: email.id,
  created_at: toTimestamp(email.createdAt),
  updated_at: toTimestamp(email.updatedAt),
  deployment_id: email.deploymentId,
  user_id: email.userId,
  email: email.email,
  is_primary: email.isPrimary,
  verified: email.verified,
  verified_at: toNullableTimestamp(email.verifiedAt),
  verification_strategy: email.verificationStrategy,
});

export const toPhoneJson = (phone: UserPhone): Static<typeof UserPhoneSchema> => ({
  id: phone.id,
  created_at: toTimestamp(phone.createdAt),
  updated_at: toTimestamp(phone.updatedAt),
  user_id: phone.userId,
  phone_number: phone.phoneNumber,
  country_code: phone.countryCode,
  is_primary: phone.isPrimary,
  verified: phone.verified,
  verified_at: toNullableTimestamp(phone.verifiedAt),
});
