import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { USERS_BODY_LIMIT } from "../http/body-limits.js";
import { changeContextOf } from "../http/change-context.js";
import { EmptySchema, UserIdParamsSchema, errorResponses } from "../http/common.schemas.js";
import { publicUrlOf } from "../http/public-url.js";
import { normalizeEmail, normalizePhone } from "../identifiers/normalize.js";
import { createUser, getUserDetails, updateUser } from "../user-accounts/user-accounts.service.js";
import {
  CreateUserBodySchema,
  ListUsersQuerySchema,
  UpdateUserBodySchema,
  UserDetailsSchema,
  UserPageSchema,
  UserSchema,
  toCreatedUserJson,
  toUserDetailsJson,
  toUserJson,
  type ListUsersQuery,
} from "./users.schemas.js";
import { deleteUser, foldSearchText, foldUsername, listUsers, type ListPosition, type UserListQuery } from "./users.service.js";

const asList = (value: string | string[] | undefined) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);
const consumes = ["application/json", "multipart/form-data"];
const tags = ["users"];

/** Query string → storage query: filters are normalized exactly as the values were when stored. */
function toUserListQuery(query: ListUsersQuery): Omit<UserListQuery, "offset" | "cursor"> {
  return {
    limit: query.limit,
    sortKey: query.sort_key,
    sortOrder: query.sort_order,
    search: foldSearchText(query.search?.trim() ?? "") || undefined,
    normalizedEmails: asList(query.email_address)?.map((email) => normalizeEmail(email, "email_address").normalized),
    phoneNumbers: asList(query.phone_number)?.map((phone) => normalizePhone(phone).phoneNumber),
    normalizedUsernames: asList(query.username)?.map(foldUsername),
    userIds: asList(query.user_id),
    externalIds: asList(query.external_id),
  };
}

export const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/users",
    { schema: { tags, summary: "List users", querystring: ListUsersQuerySchema, response: { 200: UserPageSchema, ...errorResponses } } },
    async (request) => {
      const query = toUserListQuery(request.query);
      const position: ListPosition = { offset: request.query.offset, startingAfter: request.query.starting_after, endingBefore: request.query.ending_before };
      const page = await listUsers(app.db, request.deploymentId, query, position);
      const context = { publicUrl: publicUrlOf(request) };
      return {
        data: page.items.map((user) => toUserJson(user, context)),
        total: page.total,
        has_more: page.hasMore,
        limit: query.limit,
        offset: request.query.offset,
      };
    },
  );

  for (const path of ["/users/:userId/details", "/users/:userId"]) {
    app.get(
      path,
      { schema: { tags, summary: "Get a user with its identifiers", params: UserIdParamsSchema, response: { 200: UserDetailsSchema, ...errorResponses } } },
      async (request) => toUserDetailsJson(await getUserDetails(app.db, request.deploymentId, request.params.userId), { publicUrl: publicUrlOf(request) }),
    );
  }

  app.post(
    "/users",
    {
      bodyLimit: USERS_BODY_LIMIT,
      schema: { tags, summary: "Create a user", consumes, body: CreateUserBodySchema, response: { 200: UserSchema, ...errorResponses } },
    },
    async (request) => {
      const body = request.body;
      const image = request.uploadedFiles.profile_image;
      const user = await createUser(app.db, request.deploymentId, changeContextOf(request), {
        firstName: body.first_name,
        lastName: body.last_name,
        emailAddress: body.email_address,
        phoneNumber: body.phone_number,
        username: body.username,
        password: body.password,
        passwordDigest: body.password_digest,
        passwordHasher: body.password_hasher,
        skipPasswordCheck: body.skip_password_check,
        externalId: body.external_id,
        publicMetadata: body.public_metadata,
        privateMetadata: body.private_metadata,
        profileImage: image ? { bytes: image } : undefined,
      });
      return toCreatedUserJson(user, { publicUrl: publicUrlOf(request) });
    },
  );

  app.patch(
    "/users/:userId",
    {
      bodyLimit: USERS_BODY_LIMIT,
      schema: {
        tags,
        summary: "Update a user",
        consumes,
        params: UserIdParamsSchema,
        body: UpdateUserBodySchema,
        response: { 200: UserDetailsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const image = request.uploadedFiles.profile_image;
      const details = await updateUser(app.db, request.deploymentId, changeContextOf(request), request.params.userId, {
        firstName: body.first_name,
        lastName: body.last_name,
        username: body.username,
        externalId: body.external_id,
        publicMetadata: body.public_metadata,
        privateMetadata: body.private_metadata,
        disabled: body.disabled,
        secondFactorPolicy: body.second_factor_policy,
        removeProfileImage: body.remove_profile_image,
        profileImage: image ? { bytes: image } : undefined,
      });
      return toUserDetailsJson(details, { publicUrl: publicUrlOf(request) });
    },
  );

  app.delete(
    "/users/:userId",
    {
      schema: {
        tags,
        summary: "Delete a user and everything that belongs to it",
        params: UserIdParamsSchema,
        response: { 200: EmptySchema, ...errorResponses },
      },
    },
    async (request) => {
      await deleteUser(app.db, request.deploymentId, changeContextOf(request), request.params.userId);
      return {};
    },
  );
};
