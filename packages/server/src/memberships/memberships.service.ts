import type { Db } from "../storage/db.js";
import { requireUser } from "../users/users.service.js";

/**
 * A user's organization or workspace memberships. There are no organizations or workspaces in
 * Wacht yet, so an existing user has none; an unknown user is a 404, as on every users route.
 */
export async function listUserMemberships(db: Db, deploymentId: string, userId: string): Promise<never[]> {
  await requireUser(db, deploymentId, userId);
  return [];
}
