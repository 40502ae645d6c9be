import type { Config } from "../config.js";
import { createDb, migrateToLatest, type Db } from "../storage/db.js";

/** Opens the configured database, brings its schema up to date, runs `work`, and closes it. */
export async function withDatabase<T>(config: Config, work: (db: Db) => Promise<T>): Promise<T> {
  const handle = createDb(config.databaseUrl, { poolSize: 2 });
  try {
    await migrateToLatest(handle.db);
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}
