import { CompiledQuery, type Insertable } from "kysely";
import type { Db } from "./db.js";
import { dialectOf } from "./dialect.js";
import type { Database } from "./tables.js";

// SQL texts by dialect, table, columns and row count; a batch writes a few shapes over and over.
const texts = new Map<string, string>();
const MAX_TEXTS = 200;

/**
 * Several rows of one table in one INSERT, for the bulk writes of an import. Kysely's builder
 * and compiler turn each of a thousand rows' values into nodes and back into text every time (a
 * fifth of an import's CPU and most of its garbage, bench/README.md); this builds the statement
 * text once per shape and only binds the values. Every row must have the first row's columns.
 */
export async function insertRows<T extends keyof Database & string>(db: Db, table: T, rows: Array<Insertable<Database[T]>>): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const dialect = dialectOf(db);
  const key = `${dialect}\u0000${table}\u0000${rows.length}\u0000${columns.join(",")}`;
  let text = texts.get(key);
  if (text === undefined) {
    text = insertText(dialect, table, columns, rows.length);
    if (texts.size >= MAX_TEXTS) texts.delete(texts.keys().next().value!);
    texts.set(key, text);
  }
  const parameters: unknown[] = new Array(rows.length * columns.length);
  let position = 0;
  for (const row of rows) {
    const values = row as Record<string, unknown>;
    for (const column of columns) parameters[position++] = values[column] ?? null;
  }
  await db.executeQuery(CompiledQuery.raw(text, parameters));
}

function insertText(dialect: "sqlite" | "postgres", table: string, columns: string[], rowCount: number): string {
  let next = 0;
  const placeholder = dialect === "postgres" ? () => `$${++next}` : () => "?";
  const tuples: string[] = [];
  for (let row = 0; row < rowCount; row++) tuples.push(`(${columns.map(placeholder).join(", ")})`);
  return `insert into "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) values ${tuples.join(", ")}`;
}
