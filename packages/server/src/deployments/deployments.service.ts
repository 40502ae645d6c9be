import { appendAuditEntry, type AuditContext } from "../audit-log/audit-log.service.js";
import type { Config } from "../config.js";
import { errors } from "../errors.js";
import { generateId } from "../ids.js";
import type { Db } from "../storage/db.js";
import { uniqueViolationOf } from "../storage/dialect.js";
import {
  findDefaultDeployment,
  findDeployment,
  findDeploymentForFrontendHost,
  insertDeployment,
  listDeployments,
  updateDeploymentFrontendApiUrl,
  updateLastListeningUrl,
  type Deployment,
} from "./deployments.storage.js";
import { originOf, parseFrontendApiUrl, publishableKeyOf } from "./frontend-api.js";

export type { Deployment };
export { findDeployment, findDeploymentForFrontendHost, listDeployments };

/**
 * Remembers the URL a server listens on for the default deployment: with no frontend API URL
 * configured it is the one the server announces, and `wacht deployments list` (which cannot see
 * the port a server was given by --port, or picked for PORT=0) prints the same publishable key.
 */
export async function recordListeningUrl(db: Db, deploymentId: string, url: string): Promise<void> {
  await updateLastListeningUrl(db, deploymentId, url);
}

/** The deployment that exists from the first start; racing instances end up with the same one. */
export async function ensureDefaultDeployment(db: Db): Promise<Deployment> {
  const existing = await findDefaultDeployment(db);
  if (existing) return existing;
  await insertDeployment(db, { id: generateId("dep"), name: "default", isDefault: true, createdAt: Date.now(), frontendApiUrl: null, lastListeningUrl: null });
  const created = await findDefaultDeployment(db);
  if (!created) throw new Error("The default deployment could not be created.");
  return created;
}

/** The deployment, or NotFoundError. */
export async function getDeployment(db: Db, deploymentId: string): Promise<Deployment> {
  const deployment = await findDeployment(db, deploymentId);
  if (!deployment) throw errors.deployment_not_found({ deploymentId });
  return deployment;
}

export async function createDeployment(db: Db, name: string, options: { frontendApiUrl?: string; context?: AuditContext } = {}): Promise<Deployment> {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw errors.validation_failed({ name: "must be 1 to 100 characters" });
  const frontendApi = options.frontendApiUrl === undefined ? null : checkFrontendApiUrl(options.frontendApiUrl);
  const deployment: Deployment = {
    id: generateId("dep"),
    name: trimmed,
    isDefault: false,
    createdAt: Date.now(),
    frontendApiUrl: frontendApi?.url ?? null,
    lastListeningUrl: null,
  };
  await db.transaction().execute(async (trx) => {
    await insertDeployment(trx, deployment, frontendApi?.host ?? null);
    if (!(await findDeployment(trx, deployment.id))) throw frontendApiUrlTaken();
    if (options.context) {
      const changes = ["name", ...(frontendApi ? ["frontend_api_url"] : [])];
      await appendAuditEntry(trx, deployment.id, options.context, { action: "deployment.create", target: { type: "deployment", id: deployment.id }, changes });
    }
  });
  return deployment;
}

/** Gives a deployment its own frontend API URL (null: the default deployment goes back to the server's URL). */
export async function setFrontendApiUrl(db: Db, deploymentId: string, rawUrl: string | null, context?: AuditContext): Promise<Deployment> {
  const frontendApi = rawUrl === null ? null : checkFrontendApiUrl(rawUrl);
  try {
    await db.transaction().execute(async (trx) => {
      const found = await updateDeploymentFrontendApiUrl(trx, deploymentId, frontendApi?.url ?? null, frontendApi?.host ?? null);
      if (!found) throw errors.deployment_not_found({ deploymentId });
      if (context)
        await appendAuditEntry(trx, deploymentId, context, {
          action: "deployment.update",
          target: { type: "deployment", id: deploymentId },
          changes: ["frontend_api_url"],
        });
    });
  } catch (error) {
    if (uniqueViolationOf(error) !== null) throw frontendApiUrlTaken();
    throw error;
  }
  return (await findDeployment(db, deploymentId))!;
}

export interface FrontendApi {
  url: string;
  publishableKey: string;
}

/**
 * Where a deployment's frontend API answers. A deployment's own URL wins; the default deployment
 * otherwise answers on WACHT_FRONTEND_API_URL, else WACHT_PUBLIC_URL, else `serverUrl` (the URL
 * the server listens on, or the one a request arrived on). Null for a deployment with no URL.
 */
export function frontendApiOf(deployment: Deployment, config: Pick<Config, "frontendApiUrl" | "publicUrl">, serverUrl: string): FrontendApi | null {
  const configured = deployment.isDefault ? (config.frontendApiUrl ?? config.publicUrl ?? serverUrl) : null;
  const url = deployment.frontendApiUrl ?? (configured === null ? null : originOf(configured));
  return url === null ? null : { url, publishableKey: publishableKeyOf(url) };
}

function checkFrontendApiUrl(raw: string) {
  const parsed = parseFrontendApiUrl(raw);
  if (!parsed) throw errors.validation_failed({ frontend_api_url: "must be an http(s) origin such as https://auth.example.com (no path)" });
  return parsed;
}

const frontendApiUrlTaken = () => errors.frontend_api_url_taken();

/** The name end users see for a deployment (TOTP issuer, passkey relying party): its own name, or "Wacht" for the unnamed default. */
export const appNameOf = (deployment: Deployment): string => (deployment.isDefault && deployment.name === "default" ? "Wacht" : deployment.name);

export async function getAppName(db: Db, deploymentId: string): Promise<string> {
  const deployment = await findDeployment(db, deploymentId);
  return deployment ? appNameOf(deployment) : "Wacht";
}
