import { describe, expect, it } from "vitest";
import { createDb, migrateToLatest } from "../../src/storage/db.js";
import { migrationProvider } from "../../src/storage/migrations/index.js";
import { apiClient, uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { useTwoInstances } from "../helpers/use-server.js";
import { createTestDatabase } from "../helpers/postgres.js";

describe.runIf(DIALECTS.includes("postgres"))("two stateless instances on one Postgres database", () => {
  // One key, two instances: whatever one instance stored, the other knows.
  const { first, second } = useTwoInstances();
  const viaFirst = first.call;
  const viaSecond = second.call;

  it("serves a user created on one instance from the other: read, update, delete", async () => {
    const email = uniqueEmail("multi");
    const created = await viaFirst("POST", "/users", { first_name: "Ada", email_address: email, skip_password_check: true });
    expect(created.status).toBe(200);
    const read = await viaSecond("GET", `/users/${created.body.id}/details`);
    expect(read.status).toBe(200);
    expect(read.body.primary_email_address).toBe(email);
    const updated = await viaSecond("PATCH", `/users/${created.body.id}`, { first_name: "Grace" });
    expect(updated.body.first_name).toBe("Grace");
    expect((await viaFirst("GET", `/users/${created.body.id}/details`)).body.first_name).toBe("Grace");
    expect((await viaSecond("DELETE", `/users/${created.body.id}`)).status).toBe(200);
    expect((await viaFirst("GET", `/users/${created.body.id}/details`)).status).toBe(404);
  });

  it("lets exactly one of 100 concurrent creates of one email win across both instances", async () => {
    const email = uniqueEmail("race");
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? viaFirst : viaSecond)("POST", "/users", { email_address: email, skip_password_check: true })),
    );
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(99);
    expect(results.filter((result) => result.status === 409).every((result) => result.body.code === "email_taken")).toBe(true);
    const listed = await viaSecond("GET", `/users?email_address=${encodeURIComponent(email)}`);
    expect(listed.body.total).toBe(1);
  });

  it("keeps revocation of an API key effective on every instance at once", async () => {
    const { createApiKey, revokeApiKey } = await import("../../src/api-keys/api-keys.service.js");
    const { apiKey, secret } = await createApiKey(first.db, first.deploymentId, "to revoke");
    expect((await apiClient(second.baseUrl, secret)("GET", "/users")).status).toBe(200);
    await revokeApiKey(first.db, apiKey.id);
    expect((await apiClient(second.baseUrl, secret)("GET", "/users")).status).toBe(401);
    expect((await apiClient(first.baseUrl, secret)("GET", "/users")).status).toBe(401);
  });

  it("refuses a key revoked over HTTP on one instance at once on the other, though both had it cached", async () => {
    const { createApiKey } = await import("../../src/api-keys/api-keys.service.js");
    const { apiKey, secret } = await createApiKey(first.db, first.deploymentId, "cached then revoked");
    // Used twice on each instance: the second use of each is answered from its cache of verified keys.
    for (let i = 0; i < 2; i++) {
      expect((await apiClient(first.baseUrl, secret)("GET", "/users?limit=1")).status).toBe(200);
      expect((await apiClient(second.baseUrl, secret)("GET", "/users?limit=1")).status).toBe(200);
    }
    expect((await viaFirst("POST", `/api-keys/${apiKey.id}/revoke`)).status).toBe(200);
    const refused = await apiClient(second.baseUrl, secret)("GET", "/users?limit=1");
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe("invalid_api_key");
    expect((await apiClient(first.baseUrl, secret)("GET", "/users?limit=1")).status).toBe(401);
    // The instances' own key still works on both.
    expect((await viaSecond("GET", "/users?limit=1")).status).toBe(200);
  });
});

describe.runIf(DIALECTS.includes("postgres"))("migrations started by several instances at once", () => {
  it("apply once, under the advisory lock, with every instance succeeding", async () => {
    const database = await createTestDatabase();
    const handles = Array.from({ length: 4 }, () => createDb(database.url, { poolSize: 2 }));
    try {
      const applied = await Promise.all(handles.map((handle) => migrateToLatest(handle.db)));
      const every = Object.keys(await migrationProvider.getMigrations()).sort();
      // Each migration was applied by exactly one instance; the others found it done.
      expect(applied.flat().sort()).toEqual(every);
      const rows = await handles[0]!.db
        .selectFrom("kysely_migration" as any)
        .select("name" as any)
        .execute();
      expect(rows.map((row: any) => row.name).sort()).toEqual(every);
    } finally {
      await Promise.all(handles.map((handle) => handle.close()));
      await database.drop();
    }
  });
});

describe.runIf(DIALECTS.includes("postgres") && process.env.WACHT_TEST_REDIS_URL !== "off")("rate limits shared through Redis", () => {
  const redisUrl = process.env.WACHT_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const { first, second } = useTwoInstances({ config: { rateLimitMax: 5, rateLimitWindowMs: 60_000, redisUrl } });

  it("counts one key's requests across instances instead of multiplying the limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const server = i % 2 === 0 ? first : second;
      statuses.push((await apiClient(server.baseUrl, first.apiKey)("GET", "/users")).status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
  });
});
