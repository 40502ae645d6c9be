import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { findDeploymentForFrontendHost, frontendApiOf, type Deployment } from "../deployments/deployments.service.js";
import { normalizeHost } from "../deployments/frontend-api.js";
import { errors } from "../errors.js";

export interface FrontendContext {
  deployment: Deployment;
  /** The deployment's frontend API origin: the `iss` of its tokens. */
  url: string;
  /** Cookies get `Secure` when the frontend API is served over https. */
  isHttps: boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Frontend API only: the deployment picked by the URL the request arrived on. */
    frontend: FrontendContext;
  }
}

/** The URL this request was sent to, as a client sees it (scheme and Host header). */
export function requestOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${normalizeHost(request.host, request.protocol)}`;
}

/**
 * Registered inside the frontend API scope: no API key there, so the deployment is the one whose
 * frontend API URL has the request's host, else the default deployment.
 */
export const frontendDeployment = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest("frontend", null as unknown as FrontendContext);
    app.addHook("onRequest", async (request) => {
      const host = normalizeHost(request.host, request.protocol);
      const deployment = await findDeploymentForFrontendHost(app.db, host);
      const frontendApi = deployment && frontendApiOf(deployment, app.config, requestOrigin(request));
      if (!deployment || !frontendApi) throw errors.deployment_not_found({ host });
      request.frontend = { deployment, url: frontendApi.url, isHttps: frontendApi.url.startsWith("https:") || request.protocol === "https" };
    });
  },
  { name: "frontend-deployment" },
);
