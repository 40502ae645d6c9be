import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Type } from "typebox";
import { ErrorSchema } from "./common.schemas.js";
import {
  AddEmailBodySchema,
  AddPhoneBodySchema,
  UpdateEmailBodySchema,
  UpdatePhoneBodySchema,
  UserEmailSchema,
  UserPhoneSchema,
} from "../identifiers/identifiers.schemas.js";
import { ImportUserSchema, ImportUsersBodySchema, ImportUsersResponseSchema } from "../import/import.schemas.js";
import { OauthAccessTokenSchema } from "../oauth/oauth.schemas.js";
import {
  CreateOauthProviderBodySchema,
  OauthProviderSchema,
  OauthSettingsSchema,
  UpdateOauthProviderBodySchema,
} from "../oauth-providers/oauth-providers.schemas.js";
import { UpdatePasswordBodySchema } from "../passwords/passwords.schemas.js";
import { UserOrganizationMembershipSchema, UserWorkspaceMembershipSchema } from "../memberships/memberships.schemas.js";
import { RenamePasskeyBodySchema, UserPasskeySchema } from "../passkeys/passkeys.schemas.js";
import { VerifyPasswordBodySchema, VerifyPasswordResponseSchema } from "../sign-in/credential-checks.schemas.js";
import {
  BackupCodesResponseSchema,
  CreateAuthenticatorBodySchema,
  CreateAuthenticatorResponseSchema,
  VerifyTotpBodySchema,
  VerifyTotpResponseSchema,
} from "../second-factors/second-factors.schemas.js";
import { UserSigninSchema } from "../sessions/sessions.schemas.js";
import { LinkSocialConnectionBodySchema, UserSocialConnectionSchema } from "../social-connections/social-connections.schemas.js";
import { AuditLogEntrySchema } from "../audit-log/audit-log.schemas.js";
import { WebhookAppSchema, WebhookDeliveryDetailsSchema, WebhookDeliverySchema, WebhookEndpointSchema } from "../webhooks/webhooks.schemas.js";
import { CreateUserBodySchema, UpdateUserBodySchema, UserDetailsSchema, UserPageSchema, UserSchema } from "../users/users.schemas.js";

// Multipart bodies carry the picture as a file next to the JSON fields.
const withProfileImage = <T extends { properties: object }>(schema: T) => ({
  ...schema,
  properties: { ...schema.properties, profile_image: Type.String({ format: "binary", description: "PNG, JPEG, GIF or WEBP; at most 2 MiB (multipart only)" }) },
});

/** Named components: the same schema objects the routes validate and serialize with. */
export const componentSchemas = {
  User: UserSchema,
  UserDetails: UserDetailsSchema,
  UserPage: UserPageSchema,
  UserEmail: UserEmailSchema,
  UserPhone: UserPhoneSchema,
  UserSocialConnection: UserSocialConnectionSchema,
  UserSignin: UserSigninSchema,
  CreateUserRequest: withProfileImage(CreateUserBodySchema),
  UpdateUserRequest: withProfileImage(UpdateUserBodySchema),
  UpdatePasswordRequest: UpdatePasswordBodySchema,
  AddEmailRequest: AddEmailBodySchema,
  UpdateEmailRequest: UpdateEmailBodySchema,
  AddPhoneRequest: AddPhoneBodySchema,
  UpdatePhoneRequest: UpdatePhoneBodySchema,
  LinkSocialConnectionRequest: LinkSocialConnectionBodySchema,
  ImportUser: ImportUserSchema,
  ImportUsersRequest: ImportUsersBodySchema,
  ImportUsersResponse: ImportUsersResponseSchema,
  WebhookApp: WebhookAppSchema,
  WebhookEndpoint: WebhookEndpointSchema,
  WebhookDelivery: WebhookDeliverySchema,
  WebhookDeliveryDetails: WebhookDeliveryDetailsSchema,
  AuditLogEntry: AuditLogEntrySchema,
  UserPasskey: UserPasskeySchema,
  RenamePasskeyRequest: RenamePasskeyBodySchema,
  CreateAuthenticatorRequest: CreateAuthenticatorBodySchema,
  CreateAuthenticatorResponse: CreateAuthenticatorResponseSchema,
  RegeneratedBackupCodesResponse: BackupCodesResponseSchema,
  VerifyTotpRequest: VerifyTotpBodySchema,
  VerifyTotpResponse: VerifyTotpResponseSchema,
  VerifyPasswordRequest: VerifyPasswordBodySchema,
  VerifyPasswordResponse: VerifyPasswordResponseSchema,
  UserOrganizationMembership: UserOrganizationMembershipSchema,
  UserWorkspaceMembership: UserWorkspaceMembershipSchema,
  OauthProvider: OauthProviderSchema,
  CreateOauthProviderRequest: CreateOauthProviderBodySchema,
  UpdateOauthProviderRequest: UpdateOauthProviderBodySchema,
  OauthSettings: OauthSettingsSchema,
  OauthAccessToken: OauthAccessTokenSchema,
  Error: ErrorSchema,
};

/** OpenAPI 3.1 at /openapi.json, generated from the route schemas. */
export const openapi = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: "3.1.0",
        info: { title: "Wacht Backend API", version: "1.0.0", description: "Users, their identifiers, passwords, sessions and social connections." },
        components: {
          schemas: componentSchemas as Record<string, any>,
          securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A deployment's API key" } },
        },
        security: [{ apiKey: [] }],
      },
    });
    app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  },
  { name: "openapi" },
);
