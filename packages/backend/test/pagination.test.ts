import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WachtClient } from "../src/index.js";
import { startRealServer, type RealServer } from "./helpers/real-server.js";

const USER_COUNT = 250;
let server: RealServer;
let client: WachtClient;
let pageRequests = 0;
const token = `page${Date.now().toString(36)}`;
const createdIds = new Set<string>();

beforeAll(async () => {
  server = await startRealServer();
  // Counts the pages received; the calls still go to the real server over a real socket. A server
  // without cursors refuses the first `starting_after` (400) and the SDK goes on by offset:
  // that refusal is not a page (test/cursor-pagination.test.ts covers both paths).
  const countingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (String(input).includes("/users?") && response.ok) pageRequests += 1;
    return response;
  };
  client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl, fetch: countingFetch });
  await client.users.createUser({ first_name: "Not", last_name: "Matching", email_address: `other.${token}@example.org`, skip_password_check: true });
  for (let batch = 0; batch < USER_COUNT; batch += 25) {
    const made = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        client.users.createUser({
          first_name: "Page",
          last_name: `${token}-${batch + i}`,
          email_address: `p${batch + i}.${token}@example.com`,
          skip_password_check: true,
        }),
      ),
    );
    for (const user of made) createdIds.add(user.id);
  }
}, 120_000);
afterAll(() => server?.close());

async function collect(iterable: AsyncIterable<{ id: string }>): Promise<string[]> {
  const ids: string[] = [];
  for await (const user of iterable) ids.push(user.id);
  return ids;
}

describe("iterateUsers", () => {
  it(`yields all ${USER_COUNT} matching users once, in 100-user pages by default`, async () => {
    pageRequests = 0;
    const ids = await collect(client.users.iterateUsers({ search: `@example.com` }));
    expect(ids).toHaveLength(USER_COUNT);
    expect(new Set(ids)).toEqual(createdIds);
    expect(pageRequests).toBe(3);
  });

  it("follows the caller's page size, sort and search", async () => {
    pageRequests = 0;
    const ids = await collect(client.users.iterateUsers({ search: token, limit: 60, sort_key: "email", sort_order: "asc" }));
    expect(ids).toHaveLength(USER_COUNT + 1);
    expect(pageRequests).toBe(5);
  });

  it("can stop early without fetching further pages", async () => {
    pageRequests = 0;
    let seen = 0;
    for await (const _user of client.users.iterateUsers({ search: token, limit: 50 })) {
      if (++seen === 10) break;
    }
    expect(pageRequests).toBe(1);
  });
});
