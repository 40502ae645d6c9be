import { ValidationError } from "../errors.js";
import { generateId } from "../ids.js";
import type { Db } from "../storage/db.js";
import { findDefaultDeployment, insertDeployment, listDeployments, type Deployment } from "./deployments.storage.js";

export type { Deployment };
export { listDeployments };

/** The deployment that exists from the first start; racing instances end up with the same one. */
export async function ensureDefaultDeployment(db: Db): Promise<Deployment> {
  const existing = await findDefaultDeployment(db);
  if (existing) return existing;
  await insertDeployment(db, { id: generateId("dep"), name: "default", isDefault: true, createdAt: Date.now() });
  const created = await findDefaultDeployment(db);
  if (!created) throw new Error("The default deployment could not be created.");
  return created;
}

export async function createDeployment(db: Db, name: string): Promise<Deployment> {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw ValidationError.field("name", "must be 1 to 100 characters");
  const deployment: Deployment = { id: generateId("dep"), name: trimmed, isDefault: false, createdAt: Date.now() };
  await insertDeployment(db, deployment);
  return deployment;
}
