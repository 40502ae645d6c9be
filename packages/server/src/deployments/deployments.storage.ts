import { sql } from "kysely";
import type { Db } from "../storage/db.js";
import type { DeploymentRow } from "../storage/tables.js";

export interface Deployment {
  id: string;
  name: string;
  isDefault: boolean;
  createdAt: number;
  /** Its own frontend API origin; null for the default deployment when it answers on the server's URL. */
  frontendApiUrl: string | null;
  /** The URL a server last listened on (and announced) for it; null until one started. */
  lastListeningUrl: string | null;
}

const toDeployment = (row: DeploymentRow): Deployment => ({
  id: row.id,
  name: row.name,
  isDefault: Boolean(row.is_default),
  createdAt: row.created_at,
  frontendApiUrl: row.frontend_api_url,
  lastListeningUrl: row.last_listening_url ?? null,
});

export async function findDefaultDeployment(db: Db): Promise<Deployment | null> {
  const row = await db.selectFrom("deployments").selectAll().where("is_default", "=", true).executeTakeFirst();
  return row ? toDeployment(row) : null;
}

export async function findDeployment(db: Db, deploymentId: string): Promise<Deployment | null> {
  const row = await db.selectFrom("deployments").selectAll().where("id", "=", deploymentId).executeTakeFirst();
  return row ? toDeployment(row) : null;
}

/**
 * The deployment whose frontend API answers on `host`, else the default deployment (which
 * answers on every other host); one query either way.
 */
export async function findDeploymentForFrontendHost(db: Db, host: string): Promise<Deployment | null> {
  const row = await db
    .selectFrom("deployments")
    .selectAll()
    .where((eb) => eb.or([eb("frontend_api_host", "=", host), eb("is_default", "=", true)]))
    .orderBy(sql`CASE WHEN frontend_api_host = ${host} THEN 0 ELSE 1 END`)
    .limit(1)
    .executeTakeFirst();
  return row ? toDeployment(row) : null;
}

export async function listDeployments(db: Db): Promise<Deployment[]> {
  const rows = await db.selectFrom("deployments").selectAll().orderBy("created_at").orderBy("id").execute();
  return rows.map(toDeployment);
}

/**
 * Inserts unless a default deployment already exists (several instances may start at once) or the
 * frontend API host is taken; the caller reads the row back to tell.
 */
export async function insertDeployment(db: Db, deployment: Deployment, frontendApiHost: string | null = null): Promise<void> {
  await db
    .insertInto("deployments")
    .values({
      id: deployment.id,
      name: deployment.name,
      is_default: deployment.isDefault,
      created_at: deployment.createdAt,
      frontend_api_url: deployment.frontendApiUrl,
      frontend_api_host: frontendApiHost,
    })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

/** Returns whether the deployment exists. */
export async function updateDeploymentFrontendApiUrl(db: Db, deploymentId: string, url: string | null, host: string | null): Promise<boolean> {
  const result = await db.updateTable("deployments").set({ frontend_api_url: url, frontend_api_host: host }).where("id", "=", deploymentId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records the URL a server listens on for a deployment (what it printed at start). */
export async function updateLastListeningUrl(db: Db, deploymentId: string, url: string): Promise<void> {
  await db.updateTable("deployments").set({ last_listening_url: url }).where("id", "=", deploymentId).execute();
}
