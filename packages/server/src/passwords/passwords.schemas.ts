import { Type, type Static } from "typebox";

export const UpdatePasswordBodySchema = Type.Object(
  {
    new_password: Type.String({ maxLength: 4096 }),
    skip_password_check: Type.Optional(Type.Boolean()),
    revoke_sessions: Type.Optional(Type.Boolean({ description: "End the user's sessions (default true)" })),
  },
  { additionalProperties: false },
);
export type UpdatePasswordBody = Static<typeof UpdatePasswordBodySchema>;
