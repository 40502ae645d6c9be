import { CompiledQuery, type Compilable } from "kysely";
import type { Db } from "./db.js";
import { dialectOf, type DialectName } from "./dialect.js";

/** A parameter of a query built once: where the argument of that position goes. */
const marker = (position: number) => `\u0000reusable query argument ${position}\u0000`;

/**
 * A query of fixed shape built and compiled by Kysely once per dialect, then run with new
 * arguments: the hottest reads (a user by id, by email, the first page) skip Kysely's builder
 * and compiler on every request, which the profiles showed as a fifth of the CPU of a read
 * (bench/README.md). `build` receives one marker per argument and must place each only as a
 * parameter value; the SQL text it produces may not depend on the values (no IN lists of a
 * caller's length, no branches on them). Works on a transaction as on the database.
 */
export function reusableQuery<Row, Args extends unknown[]>(arity: Args["length"], build: (db: Db, ...args: Args) => Compilable<Row>) {
  const compiled = new Map<DialectName, { sql: string; slots: Array<number | { constant: unknown }> }>();
  return async (db: Db, ...args: Args): Promise<Row[]> => {
    const dialect = dialectOf(db);
    let entry = compiled.get(dialect);
    if (!entry) {
      const markers = Array.from({ length: arity }, (_, position) => marker(position)) as unknown as Args;
      const query = build(db, ...markers).compile();
      const slots = query.parameters.map((parameter) => {
        const position = (markers as unknown[]).indexOf(parameter);
        return position >= 0 ? position : { constant: parameter };
      });
      entry = { sql: query.sql, slots };
      compiled.set(dialect, entry);
    }
    const parameters = entry.slots.map((slot) => (typeof slot === "number" ? args[slot] : slot.constant));
    const result = await db.executeQuery<Row>(CompiledQuery.raw(entry.sql, parameters));
    return result.rows;
  };
}
