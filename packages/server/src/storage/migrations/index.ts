import type { Migration, MigrationProvider } from "kysely";
import * as initial from "./0001_initial.js";
import * as signIn from "./0002_sign_in.js";
import * as idempotencyKeys from "./0003_idempotency_keys.js";
import * as userCounts from "./0004_user_counts.js";
import * as hardening from "./0005_hardening.js";
import * as secondFactors from "./0006_second_factors.js";
import * as events from "./0007_events.js";
import * as externalIds from "./0008_external_ids.js";
import * as oauth from "./0009_oauth.js";
import * as consoleSessions from "./0011_console_sessions.js";
import * as oauthSecondFactor from "./0015_oauth_second_factor.js";
import * as descendingSortIndexes from "./0016_descending_sort_indexes.js";

/** Every migration, in the order it runs; names sort in that order too. */
const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_sign_in": signIn,
  "0003_idempotency_keys": idempotencyKeys,
  "0004_user_counts": userCounts,
  "0005_hardening": hardening,
  "0006_second_factors": secondFactors,
  "0007_events": events,
  "0008_external_ids": externalIds,
  "0009_oauth": oauth,
  "0011_console_sessions": consoleSessions,
  "0015_oauth_second_factor": oauthSecondFactor,
  "0016_descending_sort_indexes": descendingSortIndexes,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
