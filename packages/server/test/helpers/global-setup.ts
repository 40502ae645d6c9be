import type { TestProject } from "vitest/node";
import { postgresAdminUrl, probePostgres } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAvailable: boolean;
  }
}

/**
 * Decides once per run whether the Postgres half runs. `npm test` on a machine without Postgres
 * runs the SQLite half and says so; .ci/run sets WACHT_REQUIRE_POSTGRES=1, which makes it mandatory.
 */
export default async function setup(project: TestProject): Promise<void> {
  const wanted = (process.env.WACHT_TEST_DIALECTS ?? "sqlite,postgres").split(",");
  let available = false;
  if (wanted.includes("postgres")) {
    const problem = await probePostgres();
    available = problem === null;
    if (problem !== null) {
      if (process.env.WACHT_REQUIRE_POSTGRES === "1") {
        throw new Error(`Postgres is required (WACHT_REQUIRE_POSTGRES=1) but ${postgresAdminUrl()} cannot be reached: ${problem}`);
      }
      console.log(`\n[wacht] Postgres at ${postgresAdminUrl()} is not reachable (${problem}): the Postgres half of the tests is SKIPPED; only SQLite runs.\n`);
    }
  }
  project.provide("postgresAvailable", available);
}
