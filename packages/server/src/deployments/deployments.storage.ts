import type { Db } from "../storage/db.js";
import type { DeploymentRow } from "../storage/tables.js";

export interface Deployment {
  id: string;
  name: string;
  isDefault: boolean;
  createdAt: number;
}

const toDeployment = (row: DeploymentRow): Deployment => ({
  id: row.id,
  name: row.name,
  isDefault: Boolean(row.is_default),
  createdAt: row.created_at,
});

export async function findDefaultDeployment(db: Db): Promise<Deployment | null> {
  const row = await db.selectFrom("deployments").selectAll().where("is_default", "=", true).executeTakeFirst();
  return row ? toDeployment(row) : null;
}

export async function findDeployment(db: Db, deploymentId: string): Promise<Deployment | null> {
  const row = await db.selectFrom("deployments").selectAll().where("id", "=", deploymentId).executeTakeFirst();
  return row ? toDeployment(row) : null;
}

export async function listDeployments(db: Db): Promise<Deployment[]> {
  const rows = await db.selectFrom("deployments").selectAll().orderBy("created_at").orderBy("id").execute();
  return rows.map(toDeployment);
}

/** Inserts unless a default deployment already exists (several instances may start at once). */
export async function insertDeployment(db: Db, deployment: Deployment): Promise<void> {
  await db
    .insertInto("deployments")
    .values({ id: deployment.id, name: deployment.name, is_default: deployment.isDefault, created_at: deployment.createdAt })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}
