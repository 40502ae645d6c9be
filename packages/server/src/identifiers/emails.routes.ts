import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeContextOf } from "../http/change-context.js";
import { EmptySchema, UserIdParamsSchema, errorResponses, listOf } from "../http/common.schemas.js";
import { AddEmailBodySchema, EmailIdParamsSchema, UpdateEmailBodySchema, UserEmailSchema, toEmailJson } from "./identifiers.schemas.js";
import { removeEmail, updateEmail } from "../user-accounts/user-accounts.service.js";
import { addEmail, getEmails, makeEmailPrimary } from "./identifiers.service.js";
import { MAX_EMAILS_PER_USER } from "./limits.js";

const tags = ["emails"];

export const emailsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/users/:userId/emails",
    { schema: { tags, summary: "List a user's email addresses", params: UserIdParamsSchema, response: { 200: listOf(UserEmailSchema), ...errorResponses } } },
    async (request) => ({ data: (await getEmails(app.db, request.deploymentId, request.params.userId)).map(toEmailJson), has_more: false }),
  );

  app.post(
    "/users/:userId/emails",
    {
      schema: {
        tags,
        summary: "Add an email address",
        description: `A user has at most ${MAX_EMAILS_PER_USER} email addresses (else 400 per_user_limit_reached).`,
        params: UserIdParamsSchema,
        body: AddEmailBodySchema,
        response: { 200: UserEmailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { email, verified, is_primary } = request.body;
      return toEmailJson(
        await addEmail(app.db, request.deploymentId, changeContextOf(request), request.params.userId, { email, verified, isPrimary: is_primary }),
      );
    },
  );

  app.patch(
    "/users/:userId/emails/:emailId",
    {
      schema: {
        tags,
        summary: "Update an email address",
        description:
          "A new `email` is unverified unless the same request sends `verified: true`; the primary's value changes only with `verified: true` (else 400 primary_value_needs_verified).",
        params: EmailIdParamsSchema,
        body: UpdateEmailBodySchema,
        response: { 200: UserEmailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { email, verified, is_primary } = request.body ?? {};
      const { userId, emailId } = request.params;
      return toEmailJson(
        await updateEmail(app.db, request.deploymentId, changeContextOf(request), userId, emailId, { email, verified, isPrimary: is_primary }),
      );
    },
  );

  app.delete(
    "/users/:userId/emails/:emailId",
    { schema: { tags, summary: "Delete an email address", params: EmailIdParamsSchema, response: { 200: EmptySchema, ...errorResponses } } },
    async (request) => {
      await removeEmail(app.db, request.deploymentId, changeContextOf(request), request.params.userId, request.params.emailId);
      return {};
    },
  );

  app.post(
    "/users/:userId/emails/:emailId/make-primary",
    {
      schema: {
        tags,
        summary: "Make a verified email address the primary one",
        params: EmailIdParamsSchema,
        response: { 200: EmptySchema, ...errorResponses },
      },
    },
    async (request) => {
      await makeEmailPrimary(app.db, request.deploymentId, changeContextOf(request), request.params.userId, request.params.emailId);
      return {};
    },
  );
};
