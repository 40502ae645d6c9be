import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeployment } from "../../src/deployments/deployments.service.js";
import type { Db, DbHandle } from "../../src/storage/db.js";
import { mergeSearchIndex, mergeSearchIndexStep } from "../../src/storage/search-index-upkeep.js";
import { createUser, updateUser } from "../../src/user-accounts/user-accounts.service.js";
import { listUsers } from "../../src/users/users.storage.js";
import { TEST_CONTEXT } from "../helpers/change-context.js";
import { DIALECTS } from "../helpers/dialects.js";
import { openTestDb } from "../helpers/test-database.js";

/**
 * The background merge of the search index (storage/search-index-upkeep.ts) changes how the index
 * is laid out, never what a search finds: the same users before and after, for every needle.
 */
describe.each(DIALECTS)("search index upkeep on %s", (dialect) => {
  let handle: DbHandle;
  let db: Db;

  beforeAll(async () => {
    handle = await openTestDb(dialect);
    db = handle.db;
  });
  afterAll(async () => handle?.close());

  const search = async (deploymentId: string, needle: string) =>
    (await listUsers(db, deploymentId, { limit: 100, offset: 0, sortKey: "created_at", sortOrder: "asc", search: needle })).items.map((user) => user.id).sort();

  it("finds exactly the same users after merging as before, through creates and renames", async () => {
    const deploymentId = (await createDeployment(db, "upkeep")).id;
    const ids: string[] = [];
    // One transaction per user: each leaves its own piece of index to merge.
    for (let index = 0; index < 60; index++) {
      const user = await createUser(db, deploymentId, TEST_CONTEXT, {
        firstName: `Mira${index % 7}`,
        lastName: `Okonkwo${index}`,
        emailAddress: `mira.${index}.upkeep@example.com`,
        skipPasswordCheck: true,
      });
      ids.push(user.id);
    }
    for (const id of ids.slice(0, 10)) await updateUser(db, deploymentId, TEST_CONTEXT, id, { lastName: "Renamed" });
    const needles = ["mira3", "okonkwo1", "renamed", "upkeep@", "example.com", "okonkwo59", "nobody-here"];
    const before = await Promise.all(needles.map((needle) => search(deploymentId, needle)));
    expect(before[0]!.length).toBeGreaterThan(0);
    expect(before[2]).toHaveLength(10);
    expect(before[6]).toEqual([]);

    // SQLite: 70 transactions left segments to merge (on Postgres autovacuum may have emptied the pending list first).
    if (dialect === "sqlite") expect(await mergeSearchIndexStep(db)).toBe(true);
    await mergeSearchIndex(db);

    const after = await Promise.all(needles.map((needle) => search(deploymentId, needle)));
    expect(after).toEqual(before);
    // Merged as far as it goes: another step has nothing left to do.
    expect(await mergeSearchIndexStep(db)).toBe(false);
  });

  it("leaves an index that passes SQLite's own integrity check, or an empty Postgres pending list", async () => {
    await mergeSearchIndex(db);
    if (dialect === "sqlite") {
      await expect(sql`INSERT INTO users_search (users_search, rank) VALUES ('integrity-check', 1)`.execute(db)).resolves.toBeDefined();
    } else {
      // The pending list is empty: cleaning it again moves no page.
      const { rows } = await sql<{ pages: string }>`SELECT gin_clean_pending_list('users_search_trgm'::regclass) AS pages`.execute(db);
      expect(Number(rows[0]!.pages)).toBe(0);
    }
  });
});
