import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type PgModule from "pg";
import { requireOnFirstUse } from "../on-first-use.js";
import { migrationProvider } from "./migrations/index.js";
import type { DialectName } from "./dialect.js";
import type { Database } from "./tables.js";

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  dialect: DialectName;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  poolSize?: number;
}

/** `sqlite:<path>`, `sqlite::memory:` or `postgres://…` → a Kysely instance for that engine. */
export function createDb(databaseUrl: string, options: CreateDbOptions = {}): DbHandle {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return createPostgresDb(databaseUrl, options.poolSize ?? 10);
  if (databaseUrl.startsWith("sqlite:")) return createSqliteDb(databaseUrl.slice("sqlite:".length));
  throw new Error(`DATABASE_URL must start with sqlite: or postgres://, got '${databaseUrl.replace(/\/\/[^@]*@/, "//***@")}'.`);
}

// Loaded only for a Postgres URL: a SQLite process (a `wacht import` of a million users among
// them) need not carry the driver's ~15 MB.
const loadPg = requireOnFirstUse<typeof PgModule>("pg");

function createPostgresDb(url: string, poolSize: number): DbHandle {
  const pg = loadPg();
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    // Our times are BIGINT milliseconds and counts are int8: both fit a JS number exactly.
    types: {
      getTypeParser: (oid: number, format?: any) => (oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)),
    },
  });
  // An idle client losing its connection (Postgres restarted) must not crash the process;
  // the pool drops it and the next query reconnects.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", close: () => db.destroy() };
}

/**
 * The database file holds every user's data and the hashes of every credential: only the server's
 * own account may read it. A folder we create is 0700; the file is created 0600 (and tightened to
 * 0600 if it was not), and SQLite gives its -wal and -shm files the same mode as the file.
 */
function restrictSqliteFile(path: string): void {
  const folder = dirname(path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
  for (const companion of [`${path}-wal`, `${path}-shm`]) if (existsSync(companion)) chmodSync(companion, 0o600);
}

function createSqliteDb(path: string): DbHandle {
  const isMemory = path === ":memory:" || path === "";
  if (!isMemory) restrictSqliteFile(path);
  const database = new SqliteDatabase(isMemory ? ":memory:" : path);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("foreign_keys = ON");
  database.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withBooleanParameters(database) }) });
  return { db, dialect: "sqlite", close: () => db.destroy() };
}

// Distinct SQL texts kept prepared; IN lists of many lengths make more texts, so the oldest go first.
const MAX_PREPARED_STATEMENTS = 500;

/**
 * better-sqlite3 refuses JS booleans as parameters; SQLite stores them as 0/1. Kysely asks for a
 * prepared statement on every query, and parsing and planning the same SQL on every call was the
 * largest single cost of a read (bench/README.md), so each SQL text is prepared once and reused.
 */
function withBooleanParameters(database: SqliteDatabase.Database) {
  const toSqlite = (parameters: ReadonlyArray<unknown>) => parameters.map((value) => (typeof value === "boolean" ? Number(value) : value));
  const prepared = new Map<string, SqliteDatabase.Statement>();
  const prepareOnce = (text: string) => {
    let statement = prepared.get(text);
    if (!statement) {
      statement = database.prepare(text);
      if (prepared.size >= MAX_PREPARED_STATEMENTS) prepared.delete(prepared.keys().next().value!);
      prepared.set(text, statement);
    }
    return statement;
  };
  return {
    close: () => database.close(),
    prepare(text: string) {
      const statement = prepareOnce(text);
      return {
        reader: statement.reader,
        all: (parameters: ReadonlyArray<unknown>) => statement.all(toSqlite(parameters)),
        run: (parameters: ReadonlyArray<unknown>) => statement.run(toSqlite(parameters)),
        iterate: (parameters: ReadonlyArray<unknown>) => statement.iterate(toSqlite(parameters)),
      };
    },
  };
}

// Kysely orders applied migrations of the same millisecond by name with localeCompare, which loads
// ICU's collation data (~2 MB of the idle server, bench/README.md, issue 14) on every start of a
// database migrated in one go. Our names are ASCII ("0001_…"): comparing code units is the same order.
const compareMigrationNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Brings the schema up to date. On Postgres, Kysely holds an advisory lock while it runs, so instances starting together take turns. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider, nameComparator: compareMigrationNames });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((result) => result.status === "Success").map((result) => result.migrationName);
}

/** A round trip to the database: what /health asks before it answers. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
