import { Type, type Static } from "typebox";
import { Nullable, Timestamp, toNullableTimestamp, toTimestamp } from "../http/common.schemas.js";
import { UserEmailSchema, UserPhoneSchema, toEmailJson, toPhoneJson } from "../identifiers/identifiers.schemas.js";
import { UserSocialConnectionSchema, toSocialConnectionJson } from "../social-connections/social-connections.schemas.js";
import { PASSWORD_HASHERS } from "../passwords/hasher.js";
import type { UserDetails } from "../user-accounts/user-accounts.service.js";
import type { ListedUser, User, UserListItem } from "./users.service.js";

const Metadata = Type.Unsafe<Record<string, unknown>>({ type: "object", additionalProperties: true, description: "Any JSON object; at most 32 KiB" });
const Name = Type.String({ maxLength: 256 });
const ExternalId = Type.String({ minLength: 1, maxLength: 255, description: "The user's id in another system; unique per deployment" });
const SecondFactorPolicy = Type.Union([Type.Literal("none"), Type.Literal("optional"), Type.Literal("enforced")]);

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
    first_name: Type.String(),
    last_name: Type.String(),
    username: Nullable(Type.String()),
    profile_picture_url: Nullable(Type.String()),
    primary_email_address: Nullable(Type.String()),
    primary_phone_number: Nullable(Type.String()),
    external_id: Nullable(Type.String()),
    disabled: Type.Boolean({ description: "Sign-in is refused and the user's sessions ended (PATCH /users/{id} with disabled)" }),
    locked: Type.Boolean({ description: "Too many wrong passwords: sign-in is refused until lockout_expires_at (POST /users/{id}/unlock clears it)" }),
    last_sign_in_at: Nullable(Timestamp),
    two_factor_enabled: Type.Boolean({
      description: "Password sign-in asks for a second factor: the user has a TOTP authenticator or unused backup codes (passkeys are a first factor)",
    }),
  },
  { additionalProperties: false, description: "A user as lists show it; the create answer has the same shape" },
);

export const UserDetailsSchema = Type.Object(
  {
    ...UserSchema.properties,
    deployment_id: Type.String(),
    second_factor_policy: SecondFactorPolicy,
    public_metadata: Metadata,
    private_metadata: Metadata,
    primary_email_address_id: Nullable(Type.String()),
    primary_phone_number_id: Nullable(Type.String()),
    email_addresses: Type.Array(UserEmailSchema),
    phone_numbers: Type.Array(UserPhoneSchema),
    social_connections: Type.Array(UserSocialConnectionSchema),
    has_password: Type.Boolean(),
    has_backup_codes: Type.Boolean({ description: "Whether unused backup codes remain" }),
    totp_enabled: Type.Boolean({ description: "Whether a TOTP authenticator is active" }),
    passkeys_count: Type.Integer({ minimum: 0 }),
    last_password_reset_at: Nullable(Timestamp),
    lockout_expires_at: Nullable(Timestamp),
    // Kept for compatibility with clients of the reference server; we have no such features yet.
    schema_version: Type.String(),
    availability: Type.String(),
    segments: Type.Array(Type.Object({}, { additionalProperties: true })),
    active_organization_membership_id: Nullable(Type.String()),
    active_workspace_membership_id: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const UserPageSchema = Type.Object({
  data: Type.Array(UserSchema),
  total: Type.Integer({ description: "Users matching the filters, across all pages" }),
  has_more: Type.Boolean({ description: "Whether another page follows in the direction of travel (after the page, or before it with ending_before)" }),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

const Repeatable = (description: string) =>
  Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 })], { description }));

export const ListUsersQuerySchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 10 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
    starting_after: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "A user id: the page right after that user in this order (offset must be 0)" }),
    ),
    ending_before: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "A user id: the page right before that user in this order (offset must be 0)" }),
    ),
    sort_key: Type.Union([Type.Literal("created_at"), Type.Literal("username"), Type.Literal("email"), Type.Literal("phone_number")], {
      default: "created_at",
    }),
    sort_order: Type.Union([Type.Literal("asc"), Type.Literal("desc")], { default: "desc" }),
    search: Type.Optional(Type.String({ maxLength: 256, description: "Case-insensitive substring of names, username, emails or phones" })),
    email_address: Repeatable("Exact email address (case-insensitive); repeat for any of several"),
    phone_number: Repeatable("Exact phone number (E.164); repeat for any of several"),
    username: Repeatable("Exact username (case-insensitive); repeat for any of several"),
    user_id: Repeatable("User id; repeat for any of several"),
    external_id: Repeatable("Exact external_id; repeat for any of several"),
  },
  { additionalProperties: false },
);
export type ListUsersQuery = Static<typeof ListUsersQuerySchema>;

export const CreateUserBodySchema = Type.Object(
  {
    first_name: Type.Optional(Name),
    last_name: Type.Optional(Name),
    email_address: Type.Optional(Type.String({ maxLength: 320 })),
    phone_number: Type.Optional(Type.String({ maxLength: 64 })),
    username: Type.Optional(Type.String({ maxLength: 64 })),
    password: Type.Optional(Type.String({ maxLength: 4096 })),
    password_digest: Type.Optional(
      Type.String({ maxLength: 1024, description: "A password hash imported from another provider, instead of password; needs password_hasher" }),
    ),
    password_hasher: Type.Optional(
      Type.Union(
        PASSWORD_HASHERS.map((hasher) => Type.Literal(hasher)),
        { description: "The format of password_digest; replaced by argon2id at the next sign-in" },
      ),
    ),
    skip_password_check: Type.Optional(Type.Boolean()),
    external_id: Type.Optional(ExternalId),
    public_metadata: Type.Optional(Metadata),
    private_metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, description: "JSON, or multipart/form-data with an optional profile_image file" },
);
export type CreateUserBody = Static<typeof CreateUserBodySchema>;

export const UpdateUserBodySchema = Type.Object(
  {
    first_name: Type.Optional(Name),
    last_name: Type.Optional(Name),
    username: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    external_id: Type.Optional(Nullable(ExternalId)),
    public_metadata: Type.Optional(Metadata),
    private_metadata: Type.Optional(Metadata),
    disabled: Type.Optional(Type.Boolean()),
    second_factor_policy: Type.Optional(SecondFactorPolicy),
    remove_profile_image: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, description: "JSON, or multipart/form-data with an optional profile_image file" },
);
export type UpdateUserBody = Static<typeof UpdateUserBodySchema>;

/** Where profile pictures are served from: the server's public URL. */
export interface JsonContext {
  publicUrl: string;
}

const pictureUrl = (user: ListedUser, context: JsonContext) => (user.profileImageId ? `${context.publicUrl}/profile-images/${user.profileImageId}` : null);

/** A list item on the wire. */
export const toUserJson = (item: UserListItem, context: JsonContext) => userJson(item, item.twoFactorEnabled, context);

/** The create answer: a user just created has no authenticator or backup codes yet. */
export const toCreatedUserJson = (user: User, context: JsonContext) => userJson(user, false, context);

const isLocked = (user: ListedUser) => user.lockedUntil !== null && user.lockedUntil > Date.now();

/** The one mapping of a user to the wire. */
function userJson(user: ListedUser, twoFactorEnabled: boolean, context: JsonContext): Static<typeof UserSchema> {
  return {
    id: user.id,
    created_at: toTimestamp(user.createdAt),
    updated_at: toTimestamp(user.updatedAt),
    first_name: user.firstName,
    last_name: user.lastName,
    username: user.username,
    profile_picture_url: pictureUrl(user, context),
    primary_email_address: user.primaryEmailAddress,
    primary_phone_number: user.primaryPhoneNumber,
    external_id: user.externalId,
    disabled: user.disabled,
    locked: isLocked(user),
    last_sign_in_at: toNullableTimestamp(user.lastSignInAt),
    two_factor_enabled: twoFactorEnabled,
  };
}

export function toUserDetailsJson(details: UserDetails, context: JsonContext): Static<typeof UserDetailsSchema> {
  const { user, secondFactors } = details;
  // Object.assign, not `{ ...toUserJson(), … }`: V8 builds a spread followed by twenty more
  // properties through its slow path, which cost ~80 µs per user against ~4 µs (bench/README.md).
  return Object.assign(userJson(user, secondFactors.totpEnabled || secondFactors.hasBackupCodes, context), {
    deployment_id: user.deploymentId,
    second_factor_policy: user.secondFactorPolicy,
    public_metadata: user.publicMetadata,
    private_metadata: user.privateMetadata,
    primary_email_address_id: user.primaryEmailAddressId,
    primary_phone_number_id: user.primaryPhoneNumberId,
    email_addresses: details.emails.map(toEmailJson),
    phone_numbers: details.phones.map(toPhoneJson),
    social_connections: details.socialConnections.map(toSocialConnectionJson),
    has_password: user.hasPassword,
    has_backup_codes: secondFactors.hasBackupCodes,
    totp_enabled: secondFactors.totpEnabled,
    passkeys_count: secondFactors.passkeysCount,
    last_password_reset_at: toNullableTimestamp(user.lastPasswordResetAt),
    lockout_expires_at: isLocked(user) ? toNullableTimestamp(user.lockedUntil) : null,
    schema_version: "v1",
    availability: user.disabled ? "restricted" : "available",
    segments: [],
    active_organization_membership_id: null,
    active_workspace_membership_id: null,
  });
}
