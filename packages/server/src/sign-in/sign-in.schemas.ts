import { Type, type Static } from "typebox";

export const SignInBodySchema = Type.Object(
  {
    identifier: Type.String({ minLength: 1, maxLength: 320, description: "A verified email address, a verified phone number (E.164) or a username" }),
    password: Type.String({ minLength: 1, maxLength: 4096 }),
  },
  { additionalProperties: false },
);
export type SignInBody = Static<typeof SignInBodySchema>;

export const SignInResponseSchema = Type.Object(
  {
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
