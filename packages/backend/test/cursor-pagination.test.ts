import { afterAll, afterEach, describe, expect, it } from "vitest";
import { WachtClient, users, type PaginatedResponse, type User, type UserSortKey } from "../src/index.js";
import { errorEnvelope, sendJson, startLocalServer, type LocalServer } from "./helpers/local-server.js";
import { startRealServer, uniqueEmail } from "./helpers/real-server.js";

/*
 * Issue 14, SDK half: auto-pagination of users by cursor (`starting_after` the last id), offset
 * pagination still there for listUsers. The wire block (node:http) always runs, including the
 * fallback for servers without cursors. The real-server block runs once the server knows
 * `starting_after` (probed: today's server calls it an unknown field) and is skipped before.
 */

const server = await startRealServer();
afterAll(() => server.close());
const probe = await fetch(`${server.baseUrl}/users?starting_after=usr_probe&limit=1`, { headers: { authorization: `Bearer ${server.apiKey}` } });
const probeBody = (await probe.json()) as { details?: Record<string, string> };
const hasCursors = !(probe.status === 400 && probeBody.details?.["starting_after"] === "is not a known field");

const user = (id: string): User => ({
  id,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
  first_name: "A",
  last_name: id,
  username: null,
  profile_picture_url: null,
  primary_email_address: null,
  primary_phone_number: null,
  external_id: null,
});
const ALL = ["usr_1", "usr_2", "usr_3", "usr_4", "usr_5"].map(user);
const pageOf = (data: User[], hasMore: boolean, limit: number, offset = 0): PaginatedResponse<User> => ({
  data,
  total: ALL.length,
  has_more: hasMore,
  limit,
  offset,
});

describe("on the wire (node:http)", () => {
  let local: LocalServer | undefined;
  afterEach(async () => {
    await local?.close();
    local = undefined;
  });
  const urls = () => local!.requests.map((request) => request.url);

  /** Serves ALL by cursor or offset; `cursors: "refuse" | "ignore"` plays a server without them. */
  async function usersServer(cursors: "serve" | "refuse" | "ignore" = "serve"): Promise<WachtClient> {
    local = await startLocalServer((request, response) => {
      const query = new URL(request.url, "http://x").searchParams;
      const limit = Number(query.get("limit") ?? 10);
      const after = query.get("starting_after");
      if (after && cursors === "refuse") {
        return sendJson(
          response,
          400,
          errorEnvelope(400, "starting_after: is not a known field", "validation_failed", { starting_after: "is not a known field" }),
        );
      }
      const start = after && cursors === "serve" ? ALL.findIndex((item) => item.id === after) + 1 : Number(query.get("offset") ?? 0);
      sendJson(response, 200, pageOf(ALL.slice(start, start + limit), start + limit < ALL.length, limit, after ? 0 : start));
    });
    return new WachtClient({ apiKey: "wk_test", baseUrl: local.baseUrl, maxRetries: 0 });
  }

  it("iterateUsers asks each next page starting_after the last id, keeping sort, search and filters, and stops on has_more false", async () => {
    const client = await usersServer();
    const ids: string[] = [];
    for await (const item of client.users.iterateUsers({ limit: 2, sort_key: "email", sort_order: "asc", search: "a", user_id: ["usr_1", "usr_2"] }))
      ids.push(item.id);
    expect(ids).toEqual(ALL.map((item) => item.id));
    const filters = "sort_key=email&sort_order=asc&search=a&user_id=usr_1&user_id=usr_2";
    expect(urls()).toEqual([`/users?limit=2&${filters}`, `/users?limit=2&${filters}&starting_after=usr_2`, `/users?limit=2&${filters}&starting_after=usr_4`]);
  });

  it("iterating listUsers from an offset starts there, then goes on by cursor (the offset dropped)", async () => {
    const client = await usersServer();
    const ids: string[] = [];
    for await (const item of client.users.listUsers({ limit: 2, offset: 1 })) ids.push(item.id);
    expect(ids).toEqual(["usr_2", "usr_3", "usr_4", "usr_5"]);
    expect(urls()).toEqual(["/users?limit=2&offset=1", "/users?limit=2&starting_after=usr_3"]);
  });

  it("awaiting listUsers is still one page by offset", async () => {
    const client = await usersServer();
    expect(await client.users.listUsers({ limit: 2, offset: 2 })).toEqual(pageOf([ALL[2]!, ALL[3]!], true, 2, 2));
    expect(urls()).toEqual(["/users?limit=2&offset=2"]);
  });

  it("goes on by offset when the server calls starting_after an unknown field", async () => {
    const client = await usersServer("refuse");
    const ids: string[] = [];
    for await (const item of users.iterateUsers({ limit: 2 }, client)) ids.push(item.id);
    expect(ids).toEqual(ALL.map((item) => item.id));
    expect(urls()).toEqual(["/users?limit=2", "/users?limit=2&starting_after=usr_2", "/users?limit=2&offset=2", "/users?limit=2&offset=4"]);
  });

  it("goes on by offset when the server ignores starting_after, instead of looping on the first page", async () => {
    const client = await usersServer("ignore");
    const ids: string[] = [];
    for await (const item of client.users.iterateUsers({ limit: 2 })) ids.push(item.id);
    expect(ids).toEqual(ALL.map((item) => item.id));
    expect(urls()).toEqual(["/users?limit=2", "/users?limit=2&starting_after=usr_2", "/users?limit=2&offset=2", "/users?limit=2&offset=4"]);
  });

  it("does not hide another refusal of a cursor", async () => {
    local = await startLocalServer((request, response) => {
      if (request.url.includes("starting_after"))
        return sendJson(
          response,
          400,
          errorEnvelope(400, "starting_after: belongs to another sort", "validation_failed", { starting_after: "belongs to another sort" }),
        );
      sendJson(response, 200, pageOf(ALL.slice(0, 2), true, 2));
    });
    const client = new WachtClient({ apiKey: "wk_test", baseUrl: local.baseUrl, maxRetries: 0 });
    const walk = async () => {
      for await (const _item of client.users.iterateUsers({ limit: 2 })) {
        /* drain */
      }
    };
    await expect(walk()).rejects.toMatchObject({ statusCode: 400, details: { starting_after: "belongs to another sort" } });
  });
});

describe.skipIf(!hasCursors)("cursor pages on the real server", () => {
  const client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl, maxRetries: 0 });
  const token = `cur${Date.now().toString(36)}`;
  const stable: string[] = [];

  it("creates the users", async () => {
    for (let index = 0; index < 23; index++) {
      const made = await client.users.createUser({
        first_name: "Cursor",
        last_name: `${token}-${String(index).padStart(2, "0")}`,
        username: `${token}_${String(index).padStart(2, "0")}`,
        email_address: uniqueEmail(`${token}${index}`),
        skip_password_check: true,
      });
      stable.push(made.id);
    }
  });

  const orders: [UserSortKey, "asc" | "desc"][] = [
    ["created_at", "desc"],
    ["created_at", "asc"],
    ["username", "asc"],
    ["username", "desc"],
    ["email", "asc"],
  ];

  it.each(orders)("sort %s %s: every user once, in the server's order, while users are added and removed between pages", async (sortKey, sortOrder) => {
    const options = { search: token, sort_key: sortKey, sort_order: sortOrder, limit: 5 } as const;
    const expected = (await client.users.listUsers({ ...options, limit: 500 })).data.map((item) => item.id).filter((id) => stable.includes(id));
    const seen: string[] = [];
    const extras: string[] = [];
    let page = 0;
    for await (const item of client.users.listUsers(options)) {
      seen.push(item.id);
      if (seen.length % 5 === 0) {
        page += 1;
        // Between pages: a newcomer, and one newcomer of an earlier page removed.
        const extra = await client.users.createUser({
          first_name: "Extra",
          last_name: `${token}-x${sortKey}${sortOrder}${page}`,
          email_address: uniqueEmail(`${token}x`),
          skip_password_check: true,
        });
        extras.push(extra.id);
        if (extras.length > 1) await client.users.deleteUser(extras.shift()!);
      }
    }
    const stableSeen = seen.filter((id) => stable.includes(id));
    expect(stableSeen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of extras) await client.users.deleteUser(id);
  });
});
