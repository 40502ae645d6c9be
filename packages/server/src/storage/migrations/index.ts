import type { Migration, MigrationProvider } from "kysely";
import * as initial from "./0001_initial.js";
import * as signIn from "./0002_sign_in.js";
import * as idempotencyKeys from "./0003_idempotency_keys.js";

/** Every migration, in the order it runs; names sort in that order too. */
const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_sign_in": signIn,
  "0003_idempotency_keys": idempotencyKeys,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
