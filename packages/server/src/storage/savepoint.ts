import { sql } from "kysely";
import type { Db } from "./db.js";

/**
 * Runs `work` inside a savepoint of the caller's transaction: when it throws, what it wrote is
 * undone and the transaction goes on (Postgres would otherwise refuse every later statement).
 * Imports give each user one, so a failing user never leaves a partial record behind.
 */
export async function withSavepoint<T>(trx: Db, name: string, work: () => Promise<T>): Promise<T> {
  const savepoint = sql.id(name);
  await sql`SAVEPOINT ${savepoint}`.execute(trx);
  try {
    const result = await work();
    await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
    return result;
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(trx);
    await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
    throw error;
  }
}
