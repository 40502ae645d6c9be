import { afterAll, afterEach, describe, expect, it } from "vitest";
import { WachtClient, auditLogs, type AuditLogEntry } from "../src/index.js";
import { sendJson, startLocalServer, type LocalServer } from "./helpers/local-server.js";
import { startRealServer, uniqueEmail } from "./helpers/real-server.js";
import { serverHas } from "./helpers/server-has.js";

/*
 * Issue 11, SDK half: `client.auditLogs.list()`, awaitable for a page and iterable across pages by
 * `starting_after`. The wire block (node:http) always runs; the real-server block is skipped while
 * the server answers 404 route_not_found for /audit-logs and runs by itself once it does.
 */

const server = await startRealServer();
afterAll(() => server.close());
const hasAuditLogs = await serverHas(server, "GET", "/audit-logs");

const entry = (id: string): AuditLogEntry => ({
  id,
  created_at: "2026-12-01T08:00:00.000Z",
  deployment_id: "dep_1",
  actor: { type: "api_key", id: "key_1", name: "test" },
  action: "user.update",
  target: { type: "user", id: "usr_1" },
  request_id: "req_1",
  ip_address: "127.0.0.1",
  changes: ["first_name"],
});

describe("on the wire (node:http)", () => {
  let local: LocalServer | undefined;
  afterEach(async () => {
    await local?.close();
    local = undefined;
  });

  /** Five entries, newest first, served two at a time by cursor. */
  async function pagedServer(): Promise<WachtClient> {
    const all = ["aud_5", "aud_4", "aud_3", "aud_2", "aud_1"].map(entry);
    local = await startLocalServer((request, response) => {
      const query = new URL(request.url, "http://x").searchParams;
      const after = query.get("starting_after");
      const start = after ? all.findIndex((item) => item.id === after) + 1 : 0;
      const limit = Number(query.get("limit") ?? 20);
      sendJson(response, 200, { data: all.slice(start, start + limit), has_more: start + limit < all.length });
    });
    return new WachtClient({ apiKey: "wk_test", baseUrl: local.baseUrl });
  }

  it("sends the filters, and await gives one page", async () => {
    const client = await pagedServer();
    const page = await client.auditLogs.list({
      user_id: "usr_1",
      action: "user.update",
      actor_id: "key_1",
      since: "2026-01-01T00:00:00Z",
      until: "2026-12-31T00:00:00Z",
      limit: 2,
    });
    expect(page).toEqual({ data: [entry("aud_5"), entry("aud_4")], has_more: true });
    expect(local!.requests[0]!.url).toBe(
      "/audit-logs?user_id=usr_1&action=user.update&actor_id=key_1&since=2026-01-01T00%3A00%3A00Z&until=2026-12-31T00%3A00%3A00Z&limit=2",
    );
  });

  it("for await walks every page by starting_after the last id, keeping the filters", async () => {
    const client = await pagedServer();
    const ids: string[] = [];
    for await (const item of client.auditLogs.list({ action: "user.update", limit: 2 })) ids.push(item.id);
    expect(ids).toEqual(["aud_5", "aud_4", "aud_3", "aud_2", "aud_1"]);
    expect(local!.requests.map((request) => request.url)).toEqual([
      "/audit-logs?action=user.update&limit=2",
      "/audit-logs?action=user.update&limit=2&starting_after=aud_4",
      "/audit-logs?action=user.update&limit=2&starting_after=aud_2",
    ]);
  });

  it("starts after the caller's cursor, module style too", async () => {
    const client = await pagedServer();
    const ids: string[] = [];
    for await (const item of auditLogs.list({ starting_after: "aud_3", limit: 5 }, client)) ids.push(item.id);
    expect(ids).toEqual(["aud_2", "aud_1"]);
  });
});

describe.skipIf(!hasAuditLogs)("audit log (real server)", () => {
  const client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl, maxRetries: 0 });

  it("records who changed which fields of a user, newest first, without values", async () => {
    const user = await client.users.createUser({
      first_name: "Audit",
      last_name: "Ed",
      email_address: uniqueEmail("audit"),
      password: "correct horse battery staple 42",
    });
    await client.users.updateUser(user.id, { first_name: "Audited", private_metadata: { secret: "s3cr3t-value" } });
    const page = await client.auditLogs.list({ user_id: user.id });
    const actions = page.data.map((item) => item.action);
    expect(actions.indexOf("user.update")).toBeLessThan(actions.indexOf("user.create"));
    const update = page.data.find((item) => item.action === "user.update")!;
    expect(update).toMatchObject({ actor: { type: "api_key" }, target: { type: "user", id: user.id } });
    expect(update.changes).toEqual(expect.arrayContaining(["first_name", "private_metadata"]));
    expect(JSON.stringify(page)).not.toContain("s3cr3t-value");
    expect(JSON.stringify(page)).not.toContain("correct horse");
  });

  it("iterates every entry once across pages of one", async () => {
    const user = await client.users.createUser({ first_name: "Many", last_name: "Pages", email_address: uniqueEmail("pages"), skip_password_check: true });
    for (const name of ["A", "B", "C"]) await client.users.updateUser(user.id, { first_name: name });
    const expected = (await client.auditLogs.list({ user_id: user.id, limit: 100 })).data.map((item) => item.id);
    expect(expected.length).toBeGreaterThanOrEqual(4);
    const seen: string[] = [];
    for await (const item of client.auditLogs.list({ user_id: user.id, limit: 1 })) seen.push(item.id);
    expect(seen).toEqual(expected);
    const updates = await client.auditLogs.list({ user_id: user.id, action: "user.update" });
    expect(updates.data.every((item) => item.action === "user.update")).toBe(true);
    expect(updates.data).toHaveLength(3);
  });
});
