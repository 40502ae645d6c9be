import { Type, type Static } from "typebox";
import { Id, Nullable, Timestamp, toTimestamp } from "../http/common.schemas.js";
import type { Session } from "./sessions.types.js";

export const UserSigninSchema = Type.Object(
  {
    id: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
    session_id: Type.String(),
    user_id: Type.String(),
    expires_at: Timestamp,
    last_active_at: Timestamp,
    revoked_at: Nullable(Timestamp),
    ip_address: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    browser: Nullable(Type.String()),
    device: Nullable(Type.String()),
    sign_in_method: Type.Union(
      [
        Type.Literal("password"),
        Type.Literal("password+totp"),
        Type.Literal("password+backup_code"),
        Type.Literal("passkey"),
        Type.String({ pattern: "^oauth_[a-z0-9_]+$" }),
      ],
      {
        description: "How the user signed in",
      },
    ),
    city: Nullable(Type.String()),
    region: Nullable(Type.String()),
    region_code: Nullable(Type.String()),
    country: Nullable(Type.String()),
    country_code: Nullable(Type.String()),
    active_organization_membership_id: Nullable(Type.String()),
    active_workspace_membership_id: Nullable(Type.String()),
  },
  { additionalProperties: false, description: "A session; the credential itself is never returned" },
);

export const ListSessionsQuerySchema = Type.Object({ include_expired: Type.Boolean({ default: false }) }, { additionalProperties: false });

export const SessionIdParamsSchema = Type.Object({ userId: Id, sessionId: Id });

export const RevokeAllResponseSchema = Type.Object({ revoked: Type.Integer() });

export const toSigninJson = (session: Session): Static<typeof UserSigninSchema> => ({
  id: session.id,
  created_at: toTimestamp(session.createdAt),
  updated_at: toTimestamp(session.updatedAt),
  session_id: session.id,
  user_id: session.userId,
  expires_at: toTimestamp(session.expiresAt),
  last_active_at: toTimestamp(session.lastActiveAt),
  revoked_at: session.revokedAt === null ? null : toTimestamp(session.revokedAt),
  ip_address: session.ipAddress,
  user_agent: session.userAgent,
  browser: session.browser,
  device: session.device,
  sign_in_method: session.signInMethod,
  // We do not geolocate IP addresses; the fields stay for clients that read them.
  city: null,
  region: null,
  region_code: null,
  country: null,
  country_code: null,
  active_organization_membership_id: null,
  active_workspace_membership_id: null,
});

/** GET /session/token, in the shape the published client reads (`data.token`, `data.expires`). */
export const SessionTokenResponseSchema = Type.Object(
  {
    data: Type.Object(
      {
        token: Type.String({ description: "A JWT (ES256) with iss, sub (user id), sid (session id), iat, nbf, exp" }),
        expires: Type.Integer({ description: "The token's exp, in Unix seconds" }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
