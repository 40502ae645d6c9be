import { Type } from "typebox";

export const VerifyPasswordBodySchema = Type.Object({ password: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false });

export const VerifyPasswordResponseSchema = Type.Object({ verified: Type.Literal(true) }, { additionalProperties: false });
