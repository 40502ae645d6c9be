import { inject } from "vitest";
import type { DialectName } from "../../src/storage/dialect.js";

/**
 * The engines every storage and API test runs on, as in Kysely's test suite. WACHT_TEST_DIALECTS
 * narrows it (e.g. "sqlite"); Postgres is left out when global-setup found it unreachable.
 */
export const DIALECTS: DialectName[] = (["sqlite", "postgres"] as const).filter(
  (dialect) => (process.env.WACHT_TEST_DIALECTS ?? "sqlite,postgres").split(",").includes(dialect) && (dialect === "sqlite" || inject("postgresAvailable")),
);
