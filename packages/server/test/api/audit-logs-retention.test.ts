import { describe, expect, it } from "vitest";
import { insertAuditEntry } from "../../src/audit-log/audit-log.storage.js";
import { ensureDefaultDeployment } from "../../src/deployments/deployments.service.js";
import { generateId } from "../../src/ids.js";
import { createDb, migrateToLatest, type Db } from "../../src/storage/db.js";
import { apiClient } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { startServer } from "../helpers/start-server.js";
import { createFreshDatabase } from "../helpers/test-database.js";

const DAY_MS = 86_400_000;

/** An entry written `ageDays` ago (as a server running then would have). */
async function insertEntryAged(db: Db, deploymentId: string, ageDays: number): Promise<string> {
  const createdAt = Date.now() - ageDays * DAY_MS;
  const id = generateId("aud", createdAt);
  await insertAuditEntry(db, deploymentId, {
    id,
    createdAt,
    actor: { type: "cli", id: "cli", name: "wacht keys create" },
    action: "api_key.create",
    target: { type: "api_key", id: `key_aged_${ageDays}` },
    userId: null,
    requestId: null,
    ipAddress: null,
    changes: ["name"],
  });
  return id;
}

/** WACHT_AUDIT_LOG_RETENTION_DAYS: a server started with it deletes older entries by itself; younger ones stay. */
describe.each(DIALECTS)("audit log retention on %s", (dialect) => {
  it("entries past the retention are deleted once a server with it starts; younger ones stay", async () => {
    // A database with a history, written before this server runs (and closed, so nothing else holds it).
    const database = await createFreshDatabase(dialect);
    const seed = createDb(database.url, { poolSize: 2 });
    await migrateToLatest(seed.db);
    const deploymentId = (await ensureDefaultDeployment(seed.db)).id;
    const [old, older, young] = [
      await insertEntryAged(seed.db, deploymentId, 40),
      await insertEntryAged(seed.db, deploymentId, 400),
      await insertEntryAged(seed.db, deploymentId, 10),
    ];
    await seed.close();

    const server = await startServer(dialect, { databaseUrl: database.url, config: { auditLogRetentionDays: 30 } });
    try {
      const call = apiClient(server.baseUrl, server.apiKey);
      const listedIds = async () => ((await call("GET", "/audit-logs?limit=100")).body.data as any[]).map((entry) => entry.id as string);
      // Pruning runs once the server is ready, off the request path: wait (up to a minute, on a loaded machine) for it.
      const deadline = Date.now() + 60_000;
      while ((await listedIds()).includes(older) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const left = await listedIds();
      expect(left).not.toContain(old);
      expect(left).not.toContain(older);
      expect(left).toContain(young);
      // A write now is, of course, kept.
      expect((await call("POST", "/users", { email_address: `kept.${Date.now()}@example.com`, skip_password_check: true })).status).toBe(200);
      expect((await call("GET", "/audit-logs?action=user.create")).body.data).toHaveLength(1);
    } finally {
      await server.close();
      await database.drop();
    }
  }, 90_000);
});
