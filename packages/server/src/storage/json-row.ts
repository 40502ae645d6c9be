import { sql, type RawBuilder } from "kysely";
import type { Db } from "./db.js";
import { dialectOf } from "./dialect.js";

/**
 * A row's values as one JSON array instead of one column each, for the reads that return many
 * values (a page of users). better-sqlite3 hands each row back as an object it fills one property
 * at a time from C++, about half a microsecond a value: a page of 20 users cost 4× more that way
 * than as one string per row that JSON.parse reads (bench/README.md). Postgres builds the same
 * array with json_build_array, which pg parses itself. Read it back with parseJsonArray.
 */
export function valuesAsJsonArray(db: Db, values: ReadonlyArray<RawBuilder<unknown>>): RawBuilder<unknown> {
  const list = sql.join(values);
  return dialectOf(db) === "postgres" ? sql`json_build_array(${list})` : sql`json_array(${list})`;
}

/** The values of a valuesAsJsonArray column: SQLite returns its JSON text, pg the parsed array. */
export function parseJsonArray(value: unknown): unknown[] {
  return typeof value === "string" ? (JSON.parse(value) as unknown[]) : (value as unknown[]);
}
