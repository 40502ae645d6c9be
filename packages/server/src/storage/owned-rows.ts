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

/** The rows of several users of one table, for reads that go page by page (export): each user's oldest first. */
export function selectRowsOfUsers<T extends UserOwnedTable>(db: Db, table: T, deploymentId: string, userIds: string[]) {
  return db
    .selectFrom(table as UserOwnedTable)
    .selectAll()
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "in", userIds)
    .orderBy("user_id")
    .orderBy("created_at")
    .orderBy("id");
}
