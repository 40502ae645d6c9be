import { sql, type AliasedRawBuilder, type RawBuilder } from "kysely";
import type { Db } from "./db.js";
import { dialectOf } from "./dialect.js";

/**
 * The select list for reads that return many values per row (a user, a page of users), read back
 * in order with valuesOf.
 *
 * SQLite: one JSON array (`json_array(…) AS name`). better-sqlite3 builds each row's object one
 * property at a time from C++, about half a microsecond a value: a page of 20 users cost 4× more
 * that way than as one string per row that JSON.parse reads (bench/README.md).
 *
 * Postgres: each value its own column (`name_0`, `name_1`, …). pg parses rows in JavaScript
 * either way, and Postgres computes a select list for every row an OFFSET skips: a page 9,000
 * deep building 9,000 JSON arrays answered 60 requests a second instead of 300.
 */
export function valuesSelection(db: Db, name: string, values: ReadonlyArray<RawBuilder<unknown>>): Array<AliasedRawBuilder<unknown, string>> {
  if (dialectOf(db) === "postgres") return values.map((value, index) => value.as(`${name}_${index}`));
  return [sql`json_array(${sql.join(values)})`.as(name)];
}

/** The types of a valuesSelection's values, position by position, taken from the columns of `Row` they were read from. */
export type ValuesOf<Columns extends readonly string[], Row> = { -readonly [I in keyof Columns]: Columns[I] extends keyof Row ? Row[Columns[I]] : unknown };

/** The values of a valuesSelection named `name`, in the order they were given. */
export function valuesOf(row: Record<string, unknown>, name: string): unknown[] {
  const json = row[name];
  if (typeof json === "string") return JSON.parse(json) as unknown[];
  const values: unknown[] = [];
  for (let index = 0; `${name}_${index}` in row; index++) values.push(row[`${name}_${index}`]);
  return values;
}
