import { Type, type Static } from "typebox";
import { Timestamp } from "../http/common.schemas.js";

export const OpenConsoleSessionBodySchema = Type.Object(
  {
    api_key: Type.String({
      minLength: 1,
      maxLength: 512,
      description: "An API key of the deployment to manage; exchanged for a cookie, never stored by the browser",
    }),
  },
  { additionalProperties: false },
);
export type OpenConsoleSessionBody = Static<typeof OpenConsoleSessionBodySchema>;

export const ConsoleSessionSchema = Type.Object(
  {
    deployment_id: Type.String(),
    deployment_name: Type.String(),
    api_key: Type.Object({ id: Type.String(), name: Type.String(), display_prefix: Type.String() }, { additionalProperties: false }),
    csrf_token: Type.String({ description: "Send it as x-wacht-csrf with every state-changing request" }),
    expires_at: Timestamp,
  },
  { additionalProperties: false, description: "The console's session (the cookie itself is HttpOnly)" },
);

export const ConsoleLoginQuerySchema = Type.Object({ token: Type.String({ maxLength: 128 }) }, { additionalProperties: false });
