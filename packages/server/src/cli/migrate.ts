import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { describeDatabase } from "../server.js";
import { createDb, migrateToLatest } from "../storage/db.js";

const help = `wacht migrate — bring the database schema up to date

Runs every migration not yet applied to DATABASE_URL. The server does this at start as well;
on Postgres an advisory lock makes instances that start together take turns.`;

export async function runMigrateCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: "boolean" } } });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const handle = createDb(config.databaseUrl, { poolSize: 1 });
  try {
    const applied = await migrateToLatest(handle.db);
    const where = describeDatabase(config.databaseUrl);
    console.log(applied.length ? `Applied ${applied.join(", ")} to ${where}.` : `${where} is up to date.`);
    return 0;
  } finally {
    await handle.close();
  }
}
