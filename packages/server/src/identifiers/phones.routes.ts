import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { EmptySchema, UserIdParamsSchema, errorResponses, listOf } from "../http/common.schemas.js";
import { AddPhoneBodySchema, PhoneIdParamsSchema, UpdatePhoneBodySchema, UserPhoneSchema, toPhoneJson } from "./identifiers.schemas.js";
import { addPhone, getPhones, makePhonePrimary, removePhone, updatePhone } from "./identifiers.service.js";
import { MAX_PHONES_PER_USER } from "./limits.js";

const tags = ["phones"];

export const phonesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/users/:userId/phones",
    { schema: { tags, summary: "List a user's phone numbers", params: UserIdParamsSchema, response: { 200: listOf(UserPhoneSchema), ...errorResponses } } },
    async (request) => ({ data: (await getPhones(app.db, request.deploymentId, request.params.userId)).map(toPhoneJson), has_more: false }),
  );

  app.post(
    "/users/:userId/phones",
    {
      schema: {
        tags,
        summary: "Add a phone number",
        description: `A user has at most ${MAX_PHONES_PER_USER} phone numbers (else 400 per_user_limit_reached).`,
        params: UserIdParamsSchema,
        body: AddPhoneBodySchema,
        response: { 200: UserPhoneSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { phone_number, country_code, verified, is_primary } = request.body;
      const phone = await addPhone(app.db, request.deploymentId, changeContextOf(request), request.params.userId, {
        phoneNumber: phone_number,
        countryCode: country_code,
        verified,
        isPrimary: is_primary,
      });
      return toPhoneJson(phone);
    },
  );

  app.patch(
    "/users/:userId/phones/:phoneId",
    {
      schema: {
        tags,
        summary: "Update a phone number",
        description:
          "A new `phone_number` is unverified unless the same request sends `verified: true`; the primary's value changes only with `verified: true` (else 400 primary_value_needs_verified).",
        params: PhoneIdParamsSchema,
        body: UpdatePhoneBodySchema,
        response: { 200: UserPhoneSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { phone_number, country_code, verified, is_primary } = request.body ?? {};
      const { userId, phoneId } = request.params;
      const phone = await updatePhone(app.db, request.deploymentId, changeContextOf(request), userId, phoneId, {
        phoneNumber: phone_number,
        countryCode: country_code,
        verified,
        isPrimary: is_primary,
      });
      return toPhoneJson(phone);
    },
  );

  app.delete(
    "/users/:userId/phones/:phoneId",
    { schema: { tags, summary: "Delete a phone number", params: PhoneIdParamsSchema, response: { 200: EmptySchema, ...errorResponses } } },
    async (request) => {
      await removePhone(app.db, request.deploymentId, changeContextOf(request), request.params.userId, request.params.phoneId);
      return {};
    },
  );

  app.post(
    "/users/:userId/phones/:phoneId/make-primary",
    {
      schema: { tags, summary: "Make a verified phone number the primary one", params: PhoneIdParamsSchema, response: { 200: EmptySchema, ...errorResponses } },
    },
    async (request) => {
      await makePhonePrimary(app.db, request.deploymentId, changeContextOf(request), request.params.userId, request.params.phoneId);
      return {};
    },
  );
};
