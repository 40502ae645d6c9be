import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertAuditEntry } from "../../src/audit-log/audit-log.storage.js";
import { generateId } from "../../src/ids.js";
import { apiClient, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createUser } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const DAY_MS = 86_400_000;

/** WACHT_AUDIT_LOG_RETENTION_DAYS: a server started with it deletes older entries by itself; without it, entries stay. */
describe.each(DIALECTS)("audit log retention on %s", (dialect) => {
  let keeper: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    keeper = await startServer(dialect);
    call = apiClient(keeper.baseUrl, keeper.apiKey);
  });
  afterAll(async () => keeper?.close());

  /** An entry written `ageDays` ago (as a server running then would have). */
  async function entryAged(ageDays: number): Promise<string> {
    const createdAt = Date.now() - ageDays * DAY_MS;
    const id = generateId("aud", createdAt);
    await insertAuditEntry(keeper.db, keeper.deploymentId, {
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

  const listedIds = async () => ((await call("GET", "/audit-logs?limit=100")).body.data as any[]).map((entry) => entry.id);

  it("entries past the retention are deleted once a server with it starts; newer ones and today's stay", async () => {
    const user = await createUser(call);
    const recentId = (await call("GET", `/audit-logs?user_id=${user.id}`)).body.data[0].id;
    const [old, older, young] = [await entryAged(40), await entryAged(400), await entryAged(10)];
    // The first server keeps everything (no retention by default).
    expect(await listedIds()).toEqual(expect.arrayContaining([recentId, old, older, young]));

    const pruner = await startServer(dialect, { databaseUrl: keeper.databaseUrl, config: { auditLogRetentionDays: 30 } });
    try {
      // Pruning runs when the server is ready, off the request path: wait for it to finish.
      for (let tries = 0; tries < 200 && (await listedIds()).includes(older); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
      const left = await listedIds();
      expect(left).not.toContain(old);
      expect(left).not.toContain(older);
      expect(left).toEqual(expect.arrayContaining([recentId, young]));
    } finally {
      await pruner.close();
    }
  });
});
