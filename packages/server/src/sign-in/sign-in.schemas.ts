import { Type, type Static } from "typebox";

export const SignInBodySchema = Type.Object(
  {
    identifier: Type.String({ minLength: 1, maxLength: 320, description: "A verified email address, a verified phone number (E.164) or a username" }),
    password: Type.String({ minLength: 1, maxLength: 4096 }),
  },
  { additionalProperties: false },
);
export type SignInBody = Static<typeof SignInBodySchema>;

export const SignInCompleteSchema = Type.Object(
  {
    status: Type.Literal("complete"),
    session_id: Type.String(),
    user_id: Type.String(),
    token: Type.String({
      description:
        "The session credential, the same value as the __session cookie, for clients without cookies: send it as 'Authorization: Bearer' to GET /session/token and POST /sign-out",
    }),
    expires: Type.Integer({ description: "When the session expires unless used, in Unix seconds" }),
  },
  { additionalProperties: false },
);

const SecondFactorStrategySchema = Type.Union([Type.Literal("totp"), Type.Literal("backup_code")]);

export const SignInNeedsSecondFactorSchema = Type.Object(
  {
    status: Type.Literal("needs_second_factor"),
    sign_in_id: Type.String({ description: "Send it to POST /sign-in/second-factor within 10 minutes; it works once" }),
    supported_second_factors: Type.Array(SecondFactorStrategySchema),
  },
  { additionalProperties: false },
);

/** The password was right: either a session, or a second factor is needed first (no cookie then). */
export const SignInResponseSchema = Type.Union([SignInCompleteSchema, SignInNeedsSecondFactorSchema]);

export const SecondFactorBodySchema = Type.Object(
  {
    sign_in_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "From POST /sign-in's answer. Left out after a social sign-in, whose pending sign-in travels in the HttpOnly __wacht_sign_in cookie",
      }),
    ),
    strategy: SecondFactorStrategySchema,
    code: Type.String({ minLength: 1, maxLength: 64, description: "A 6-digit TOTP code, or a backup code (XXXX-XXXX)" }),
  },
  { additionalProperties: false },
);
export type SecondFactorBody = Static<typeof SecondFactorBodySchema>;
