import type { Db } from "./db.js";

/** Tables of rows that belong to one user: each has deployment_id, user_id, created_at and id. */
export type UserOwnedTable = "user_emails" | "user_phones" | "social_connections";

/** A user's rows of one table, oldest first (ties by id), scoped to the deployment. */
export function selectRowsOfUser<T extends UserOwnedTable>(db: Db, table: T, deploymentId: string, userId: string) {
  return db
    .selectFrom(table as UserOwnedTable)
    .selectAll()
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .orderBy("id");
}
