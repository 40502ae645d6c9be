import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "../../src/api-keys/api-keys.service.js";
import { createDb } from "../../src/storage/db.js";
import { apiClient } from "../helpers/api.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/** Postgres' two-instance case is in test/postgres/multi-instance.test.ts; this is SQLite's. */
describe("the cache of verified API keys on sqlite", () => {
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    first = await startServer("sqlite");
    // A second process on the same file, as a second connection: its writes reach the first only through the file.
    second = await startServer("sqlite", { databaseUrl: first.databaseUrl });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  async function usedOnBoth(secret: string) {
    for (let i = 0; i < 2; i++) {
      expect((await apiClient(first.baseUrl, secret)("GET", "/users?limit=1")).status).toBe(200);
      expect((await apiClient(second.baseUrl, secret)("GET", "/users?limit=1")).status).toBe(200);
    }
  }

  it("refuses a key revoked over HTTP at once, on the instance that revoked it and on another on the same file", async () => {
    const { apiKey, secret } = await createApiKey(first.db, first.deploymentId, "cached then revoked");
    await usedOnBoth(secret);
    expect((await apiClient(first.baseUrl, first.apiKey)("POST", `/api-keys/${apiKey.id}/revoke`)).status).toBe(200);
    expect((await apiClient(first.baseUrl, secret)("GET", "/users?limit=1")).status).toBe(401);
    expect((await apiClient(second.baseUrl, secret)("GET", "/users?limit=1")).status).toBe(401);
    expect((await apiClient(second.baseUrl, first.apiKey)("GET", "/users?limit=1")).status).toBe(200);
  });

  it("refuses a key revoked through another connection (as `wacht keys revoke` does) at once", async () => {
    const { apiKey, secret } = await createApiKey(first.db, first.deploymentId, "revoked by the cli");
    await usedOnBoth(secret);
    const cli = createDb(first.databaseUrl);
    try {
      await revokeApiKey(cli.db, apiKey.id);
    } finally {
      await cli.close();
    }
    expect((await apiClient(first.baseUrl, secret)("GET", "/users?limit=1")).status).toBe(401);
    expect((await apiClient(second.baseUrl, secret)("GET", "/users?limit=1")).status).toBe(401);
  });
});
