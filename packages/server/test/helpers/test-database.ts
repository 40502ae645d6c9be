import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DialectName } from "../../src/storage/dialect.js";
import { createDb, migrateToLatest, type DbHandle } from "../../src/storage/db.js";
import { createTestDatabase } from "./postgres.js";

export interface TestDatabase {
  url: string;
  /** Removes the database (the SQLite file or the Postgres database). */
  drop(): Promise<void>;
}

/** A fresh, empty database of the given engine: a temporary SQLite file or a new Postgres database. */
export async function createFreshDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === "postgres") return createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), "wacht-test-"));
  return { url: `sqlite:${join(dir, "wacht.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A migrated database opened for storage tests; `close` also drops it. */
export async function openTestDb(dialect: DialectName): Promise<DbHandle & { url: string }> {
  const database = await createFreshDatabase(dialect);
  const handle = createDb(database.url, { poolSize: 5 });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url: database.url,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}
