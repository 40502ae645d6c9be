import { CompiledQuery, PostgresAdapter, sql, type Expression, type Kysely, type SqlBool } from "kysely";

/**
 * Every difference between SQLite and Postgres that code outside storage/db.ts and the
 * migrations has to care about lives here.
 */
export type DialectName = "sqlite" | "postgres";

/** Works on a Kysely instance or a transaction alike: both carry their dialect's adapter. */
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/**
 * The unique index a write violated, as a string naming its columns (SQLite: "users.username_normalized",
 * Postgres: the index name, which we always name after its column), or null for any other error.
 */
export function uniqueViolationOf(error: unknown): string | null {
  const { code, message, constraint } = (error ?? {}) as { code?: string; message?: string; constraint?: string };
  if (code === "23505") return constraint ?? "";
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return message ?? "";
  return null;
}

/** True when the database could not be reached at all: the request should answer 503, not 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (typeof code === "string") {
    // Postgres: connection exceptions (08xxx), shutting down (57P0x), too many connections (53300).
    if (/^(08|57P0)/.test(code) || code === "53300") return true;
    if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "SQLITE_BUSY"].includes(code)) return true;
  }
  return (
    typeof message === "string" && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)
  );
}

/**
 * True when Postgres refused text it cannot store (U+0000, "invalid byte sequence"): the client's
 * input, answered 400. SQLite stores any text, so the HTTP layer refuses NUL first; this is the net.
 */
export function isUnstorableText(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "22021";
}

/** Escapes %, _ and \ so user text matches literally inside LIKE '%…%' (with ESCAPE '\'). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** Whether searchTextContains(db, needle) is answered from an index rather than by testing each row. */
export function isSearchIndexed(db: Kysely<any>, needle: string): boolean {
  return dialectOf(db) === "postgres" || [...needle].length >= 3;
}

/**
 * "users.search_text contains `needle`" (needle already lower-cased), answered from an index:
 * pg_trgm's GIN index on Postgres, the FTS5 trigram table on SQLite. FTS5 trigrams need at least
 * three characters; shorter needles fall back to LIKE over the deployment's rows.
 */
export function searchTextContains(db: Kysely<any>, needle: string): Expression<SqlBool> {
  const pattern = `%${escapeLike(needle)}%`;
  if (dialectOf(db) === "postgres" || !isSearchIndexed(db, needle)) {
    return sql<SqlBool>`users.search_text LIKE ${pattern} ESCAPE '\\'`;
  }
  const phrase = `"${needle.replaceAll('"', '""')}"`;
  return sql<SqlBool>`users.seq IN (SELECT rowid FROM users_search WHERE users_search MATCH ${phrase})`;
}

/**
 * `column = deploymentId`, for a query where another, selective filter (a search, an exact email)
 * should find the rows. SQLite has no statistics to plan with: it would walk the deployment's
 * whole created_at index and test every user against the filter, a scan of all users per request
 * (bench/README.md). The unary + keeps that index out of the plan so the filter's own index leads.
 * Postgres plans from its statistics and gets the plain comparison.
 */
export function inDeploymentLedByOtherFilters(db: Kysely<any>, column: string, deploymentId: string): Expression<SqlBool> {
  return dialectOf(db) === "sqlite" ? sql<SqlBool>`+${sql.ref(column)} = ${deploymentId}` : sql<SqlBool>`${sql.ref(column)} = ${deploymentId}`;
}

/**
 * Locks the selected rows until the transaction ends, on Postgres. SQLite needs no row locks:
 * its single connection already runs one transaction at a time.
 */
export function forUpdate<Q extends { forUpdate(): Q }>(db: Kysely<any>, query: Q): Q {
  return dialectOf(db) === "postgres" ? query.forUpdate() : query;
}

/**
 * SQLite's `PRAGMA data_version`: a number that changes whenever another connection (another
 * process, such as `wacht keys revoke`) commits to the database file, and not for this
 * connection's own commits. In-process caches compare it to know when to forget. Null on Postgres.
 */
// Asked before every authenticated request: no builder in between.
const DATA_VERSION = CompiledQuery.raw("PRAGMA data_version");

export async function otherConnectionsWriteMark(db: Kysely<any>): Promise<number | null> {
  if (dialectOf(db) === "postgres") return null;
  const { rows } = await db.executeQuery<{ data_version: number }>(DATA_VERSION);
  return rows[0]?.data_version ?? null;
}
