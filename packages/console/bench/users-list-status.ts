/**
 * What the status fields of the users list (disabled, locked, last_sign_in_at,
 * two_factor_enabled) cost the list's first page: seeds N users with the benchmark's seeder,
 * gives every 50th one an authenticator and backup codes, then times `listUsers` (the storage
 * read the route makes) of two builds of the server against the same database, alternating.
 * Prints medians; asserts nothing.
 *
 *   npx tsx packages/console/bench/users-list-status.ts --url sqlite:/tmp/list.db --users 200000 \
 *     --before node_modules/.dist-before --after packages/server/dist [--keep]
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { searchTermFor } from "../../../bench/src/seed/people.js";
import { seedWacht } from "../../../bench/src/seed/wacht.js";
import { createDb } from "../../server/dist/storage/db.js";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    users: { type: "string", default: "200000" },
    before: { type: "string" },
    after: { type: "string", default: "packages/server/dist" },
    runs: { type: "string", default: "300" },
    keep: { type: "boolean", default: false },
  },
});
const url = values.url!;
const runs = Number(values.runs);

if (!values.keep) {
  const seed = await seedWacht(url, Number(values.users), (line) => console.error(line));
  console.error(`Seeded in ${seed.seconds.toFixed(1)} s.`);
  const handle = createDb(url);
  const now = Date.now();
  await handle.db.transaction().execute(async (trx) => {
    for (let index = 0; index < seed.userIds.length; index += 50) {
      const userId = seed.userIds[index]!;
      await trx
        .insertInto("totp_authenticators")
        .values({
          id: `tot_${userId}`,
          deployment_id: seed.deploymentId,
          user_id: userId,
          secret_sealed: "x",
          account_name: "x",
          last_used_step: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .insertInto("backup_codes")
        .values({ id: `bkc_${userId}`, deployment_id: seed.deploymentId, user_id: userId, code_hash: "x", created_at: now })
        .execute();
    }
  });
  await handle.close();
}

const handle = createDb(url);
const { id: deploymentId } = await handle.db
  .selectFrom("deployments")
  .select("id")
  .where("is_default", "=", true as never)
  .executeTakeFirstOrThrow();
type ListUsers = (db: unknown, deploymentId: string, query: object) => Promise<{ items: unknown[] }>;
const load = async (dist: string) => ((await import(pathToFileURL(resolve(dist, "users/users.storage.js")).href)) as { listUsers: ListUsers }).listUsers;
const builds = { before: await load(values.before!), after: await load(values.after) };
const shapes = {
  "first page (created_at desc, 25)": { limit: 25, offset: 0, sortKey: "created_at", sortOrder: "desc" },
  "sorted by email (25)": { limit: 25, offset: 0, sortKey: "email", sortOrder: "asc" },
  "page 1000 (25)": { limit: 25, offset: 24_975, sortKey: "created_at", sortOrder: "desc" },
  "search (one user)": { limit: 25, offset: 0, sortKey: "created_at", sortOrder: "desc", search: searchTermFor(100_000) },
  "100 rows": { limit: 100, offset: 0, sortKey: "created_at", sortOrder: "desc" },
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, query] of Object.entries(shapes)) {
  const times: Record<string, number[]> = { before: [], after: [] };
  for (let run = 0; run < runs; run++) {
    for (const [build, listUsers] of Object.entries(builds)) {
      const start = performance.now();
      await listUsers(handle.db, deploymentId, query);
      times[build]!.push(performance.now() - start);
    }
  }
  console.log(`${name}: before ${median(times.before!).toFixed(3)} ms, after ${median(times.after!).toFixed(3)} ms (median of ${runs})`);
}
await handle.close();
