import { sql, type RawBuilder } from "kysely";
import type { Db } from "./db.js";
import { dialectOf } from "./dialect.js";

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

/** Every column of each user-owned table, as the JSON keys its rows are read back with. */
const ownedRowColumns: Record<UserOwnedTable, readonly string[]> = {
  user_emails: [
    "id",
    "deployment_id",
    "user_id",
    "email",
    "email_normalized",
    "is_primary",
    "verified",
    "verified_at",
    "verification_strategy",
    "created_at",
    "updated_at",
  ],
  user_phones: ["id", "deployment_id", "user_id", "phone_number", "country_code", "is_primary", "verified", "verified_at", "created_at", "updated_at"],
  social_connections: ["id", "deployment_id", "user_id", "user_email_address_id", "provider", "provider_user_id", "email_address", "created_at", "updated_at"],
};

/**
 * A scalar subselect: the rows of `table` owned by the user in `userIdColumn`, as one JSON array
 * of objects keyed by column, in selectRowsOfUser's order (oldest first, ties by id). It lets a
 * read of a user bring its owned rows in the same statement (bench/README.md). Read it back with
 * parseOwnedRows.
 */
export function ownedRowsAsJson(db: Db, table: UserOwnedTable, deploymentId: string, userIdColumn: string): RawBuilder<unknown> {
  const owned = sql.table(table);
  const pairs = sql.join(ownedRowColumns[table].map((column) => sql`${sql.lit(column)}, ${sql.ref(`owned.${column}`)}`));
  const where = sql`owned.deployment_id = ${deploymentId} AND owned.user_id = ${sql.ref(userIdColumn)}`;
  return dialectOf(db) === "postgres"
    ? sql`(SELECT coalesce(json_agg(json_build_object(${pairs}) ORDER BY owned.created_at, owned.id), '[]'::json) FROM ${owned} AS owned WHERE ${where})`
    : sql`(SELECT json_group_array(json_object(${pairs}) ORDER BY owned.created_at, owned.id) FROM ${owned} AS owned WHERE ${where})`;
}

/** The rows of an ownedRowsAsJson column: SQLite hands back its JSON text, pg has parsed it already. */
export function parseOwnedRows<Row>(value: unknown): Row[] {
  return (typeof value === "string" ? JSON.parse(value) : value) as Row[];
}
