import { sql, type RawBuilder } from "kysely";
import type { Db } from "./db.js";
import { dialectOf, inDeploymentLedByOtherFilters } from "./dialect.js";

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

/** How many rows of one table each of these users owns (users with none are absent): the per-user caps count with it. */
export async function countRowsOfUsers(db: Db, table: UserOwnedTable, deploymentId: string, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom(table as "user_emails")
    .select((eb) => ["user_id", eb.fn.countAll<number>().as("count")])
    // The users' index leads; SQLite would otherwise walk the deployment's whole unique index.
    .where(inDeploymentLedByOtherFilters(db, "deployment_id", deploymentId))
    .where("user_id", "in", userIds)
    .groupBy("user_id")
    .execute();
  return new Map(rows.map((row) => [row.user_id, Number(row.count)]));
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
 * of objects keyed by column. It lets a read of a user bring its owned rows in the same statement
 * (bench/README.md). Read it back with parseOwnedRows, which returns them in selectRowsOfUser's
 * order (oldest first, ties by id): Postgres orders the aggregate; SQLite's would need a temporary
 * B-tree per table (no index ends in created_at, id), a third of the statement's time for the
 * handful of rows a user owns, so parseOwnedRows sorts its array instead.
 */
export function ownedRowsAsJson(db: Db, table: UserOwnedTable, deploymentId: string, userIdColumn: string): RawBuilder<unknown> {
  const owned = sql.table(table);
  const pairs = sql.join(ownedRowColumns[table].map((column) => sql`${sql.lit(column)}, ${sql.ref(`owned.${column}`)}`));
  const where = sql`owned.deployment_id = ${deploymentId} AND owned.user_id = ${sql.ref(userIdColumn)}`;
  return dialectOf(db) === "postgres"
    ? sql`(SELECT coalesce(json_agg(json_build_object(${pairs}) ORDER BY owned.created_at, owned.id), '[]'::json) FROM ${owned} AS owned WHERE ${where})`
    : sql`(SELECT json_group_array(json_object(${pairs})) FROM ${owned} AS owned WHERE ${where})`;
}

interface OwnedRowOrder {
  created_at: number;
  id: string;
}

/** selectRowsOfUser's order; ids are ASCII, so JavaScript's comparison is SQLite's BINARY collation. */
const oldestFirst = (a: OwnedRowOrder, b: OwnedRowOrder) => a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The rows of an ownedRowsAsJson column, oldest first: SQLite hands back its JSON text unordered, pg has parsed and ordered it already. */
export function parseOwnedRows<Row extends OwnedRowOrder>(value: unknown): Row[] {
  if (typeof value !== "string") return value as Row[];
  const rows = JSON.parse(value) as Row[];
  return rows.length > 1 ? rows.sort(oldestFirst) : rows;
}
