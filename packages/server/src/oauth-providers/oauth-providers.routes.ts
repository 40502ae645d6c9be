import { changeContextOf } from "../http/change-context.js";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { EmptySchema, errorResponses, listOf } from "../http/common.schemas.js";
import {
  CreateOauthProviderBodySchema,
  OauthProviderSchema,
  OauthSettingsSchema,
  ProviderParamsSchema,
  UpdateOauthProviderBodySchema,
  UpdateOauthSettingsBodySchema,
  toOauthProviderJson,
  toOauthSettingsJson,
} from "./oauth-providers.schemas.js";
import {
  createOauthProvider,
  getOauthProvider,
  getOauthSettings,
  listOauthProviders,
  removeOauthProvider,
  updateOauthProvider,
  updateOauthSettings,
} from "./oauth-providers.service.js";

const tags = ["oauth providers"];

/** Backend API: the identity providers end users of a deployment can sign in with, and the deployment's social sign-in settings. */
export const oauthProvidersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/oauth-providers",
    { schema: { tags, summary: "List the configured OAuth / OpenID Connect providers", response: { 200: listOf(OauthProviderSchema), ...errorResponses } } },
    async (request) => ({ data: (await listOauthProviders(app.db, request.deploymentId)).map(toOauthProviderJson), has_more: false }),
  );

  app.post(
    "/oauth-providers",
    { schema: { tags, summary: "Configure a provider", body: CreateOauthProviderBodySchema, response: { 200: OauthProviderSchema, ...errorResponses } } },
    async (request) => {
      const { provider, client_id, client_secret, issuer, scopes, enabled } = request.body;
      return toOauthProviderJson(
        await createOauthProvider(
          app.db,
          app.secretBox,
          request.deploymentId,
          {
            provider,
            clientId: client_id,
            clientSecret: client_secret,
            issuer,
            scopes,
            enabled,
          },
          changeContextOf(request),
        ),
      );
    },
  );

  app.get(
    "/oauth-providers/:provider",
    { schema: { tags, summary: "Get a provider", params: ProviderParamsSchema, response: { 200: OauthProviderSchema, ...errorResponses } } },
    async (request) => toOauthProviderJson(await getOauthProvider(app.db, request.deploymentId, request.params.provider)),
  );

  app.patch(
    "/oauth-providers/:provider",
    {
      schema: {
        tags,
        summary: "Change a provider",
        description: "Fields left out stay as they are; issuer null goes back to the kind's default.",
        params: ProviderParamsSchema,
        body: UpdateOauthProviderBodySchema,
        response: { 200: OauthProviderSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { client_id, client_secret, issuer, scopes, enabled } = request.body;
      return toOauthProviderJson(
        await updateOauthProvider(
          app.db,
          app.secretBox,
          request.deploymentId,
          request.params.provider,
          {
            clientId: client_id,
            clientSecret: client_secret,
            issuer,
            scopes,
            enabled,
          },
          changeContextOf(request),
        ),
      );
    },
  );

  app.delete(
    "/oauth-providers/:provider",
    {
      schema: {
        tags,
        summary: "Remove a provider",
        description: "Sign-ins with it stop; the social connections it made stay until removed.",
        params: ProviderParamsSchema,
        response: { 200: EmptySchema, ...errorResponses },
      },
    },
    async (request) => {
      await removeOauthProvider(app.db, request.deploymentId, request.params.provider, changeContextOf(request));
      return {};
    },
  );

  app.get(
    "/oauth-settings",
    { schema: { tags, summary: "Social sign-in settings", response: { 200: OauthSettingsSchema, ...errorResponses } } },
    async (request) => toOauthSettingsJson(await getOauthSettings(app.db, request.deploymentId)),
  );

  app.patch(
    "/oauth-settings",
    {
      schema: {
        tags,
        summary: "Change social sign-in settings",
        description: "redirect_urls, when sent, replaces the list.",
        body: UpdateOauthSettingsBodySchema,
        response: { 200: OauthSettingsSchema, ...errorResponses },
      },
    },
    async (request) =>
      toOauthSettingsJson(
        await updateOauthSettings(
          app.db,
          request.deploymentId,
          { redirectUrls: request.body.redirect_urls, allowSignUp: request.body.allow_sign_up },
          changeContextOf(request),
        ),
      ),
  );
};
