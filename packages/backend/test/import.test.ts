import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, WachtClient, type ImportProgress, type ImportUser } from "../src/index.js";
import { startRealServer, uniqueEmail, type RealServer } from "./helpers/real-server.js";

let server: RealServer;
let client: WachtClient;

beforeAll(async () => {
  server = await startRealServer();
  client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
}, 60_000);
afterAll(() => server?.close());

const externalId = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

describe("external ids", () => {
  it("are set on create and update, returned, and filtered exactly", async () => {
    const id = externalId("sdk");
    const created = await client.users.createUser({
      first_name: "Ext",
      last_name: "Id",
      email_address: uniqueEmail("ext"),
      skip_password_check: true,
      external_id: id,
    });
    expect(created.external_id).toBe(id);
    const page = await client.users.listUsers({ external_id: [id, "nobody"] });
    expect(page.data.map((user) => user.id)).toEqual([created.id]);
    const next = externalId("sdk2");
    expect((await client.users.updateUser(created.id, { external_id: next })).external_id).toBe(next);
    const other = await client.users.createUser({ first_name: "O", last_name: "T", email_address: uniqueEmail("other"), skip_password_check: true });
    await expect(client.users.updateUser(other.id, { external_id: next })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe("importUsers", () => {
  it("answers one result per item, in order, and a re-run skips", async () => {
    const items: ImportUser[] = [
      { external_id: externalId("a"), first_name: "A", email_address: uniqueEmail("a") },
      { external_id: externalId("b"), email_address: "not an email" },
    ];
    const first = await client.users.importUsers(items);
    expect(first).toMatchObject({ created: 1, failed: 1, skipped: 0, updated: 0 });
    expect(first.results.map((r) => [r.index, r.status])).toEqual([
      [0, "created"],
      [1, "failed"],
    ]);
    expect(first.results[1]!.error).toMatchObject({ code: "validation_failed", field: "email_address" });
    const again = await client.users.importUsers(items, { on_conflict: "skip" });
    expect(again.results[0]).toMatchObject({ status: "skipped", user_id: first.results[0]!.user_id });
    expect((await client.users.getUser(first.results[0]!.user_id!)).external_id).toBe(items[0]!.external_id);
  });

  it("refuses more than 1,000 users per call before sending anything", async () => {
    const many = Array.from({ length: 1001 }, () => ({ email_address: uniqueEmail("many") }));
    await expect(client.users.importUsers(many)).rejects.toBeInstanceOf(RangeError);
  });
});

describe("importUserStream", () => {
  it("batches an async iterable and reports progress after each call", async () => {
    const label = externalId("stream");
    async function* generate(): AsyncGenerator<ImportUser> {
      for (let i = 0; i < 23; i++) yield i === 5 ? { email_address: "broken" } : { external_id: `${label}-${i}`, email_address: uniqueEmail(`s${i}`) };
    }
    const seen: ImportProgress[] = [];
    const batchSizes: number[] = [];
    const totals = await client.users.importUserStream(generate(), {
      batchSize: 10,
      onProgress: (progress, batch) => {
        seen.push(progress);
        batchSizes.push(batch.items.length);
      },
    });
    expect(batchSizes).toEqual([10, 10, 3]);
    expect(seen.map((p) => p.sent)).toEqual([10, 20, 23]);
    expect(totals).toEqual({ sent: 23, created: 22, updated: 0, skipped: 0, failed: 1 });
    expect((await client.users.listUsers({ external_id: `${label}-22` })).total).toBe(1);
  });
});
