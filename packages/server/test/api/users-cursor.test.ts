import { describe, expect, it } from "vitest";
import { uniqueEmail, uniquePhone, uniqueUsername } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createSecondDeployment, createUser, uniqueTag } from "../helpers/fixtures.js";
import { useServer } from "../helpers/use-server.js";

const SORT_KEYS = ["created_at", "username", "email", "phone_number"] as const;
const ORDERS = ["asc", "desc"] as const;

const usersPath = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.append(name, String(value));
  return `/users?${search}`;
};

describe.each(DIALECTS)("cursor pagination of users on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;
  /** The API of the test's deployment: the shared one with a search, a fresh one without. */
  let api = call;

  /** A user with some identifiers missing, so every sort key has NULLs to place last. */
  async function createMixedUser(tag: string, index: number): Promise<string> {
    const user = await createUser(api, {
      last_name: tag,
      password: undefined,
      skip_password_check: true,
      username: index % 3 === 0 ? undefined : uniqueUsername(`u${index % 4}`),
      email_address: index % 4 === 1 ? undefined : uniqueEmail(`e${index % 3}`),
      phone_number: index % 2 === 0 ? uniquePhone() : undefined,
    });
    return user.id;
  }

  async function listIds(params: Record<string, string | number | undefined>): Promise<string[]> {
    const page = await api("GET", usersPath({ ...params, limit: 500 }));
    expect(page.status).toBe(200);
    return page.body.data.map((user: any) => user.id);
  }

  /**
   * Walks the list with a cursor, `pageSize` users a page, calling `between` after each page; returns
   * every id seen in the order seen (reversed back to list order when walking backwards).
   */
  async function walk(
    params: Record<string, string | undefined>,
    direction: "starting_after" | "ending_before",
    pageSize: number,
    between: (pageNumber: number) => Promise<void>,
  ): Promise<string[]> {
    const seen: string[][] = [];
    let cursor: string | undefined;
    if (direction === "ending_before") {
      // The walk back starts from the last user: take it from the full list, then page before it.
      const all = await listIds(params);
      cursor = all.at(-1);
      seen.push([cursor!]);
    }
    for (let pageNumber = 0; pageNumber < 100; pageNumber++) {
      const page = await api("GET", usersPath({ ...params, limit: pageSize, [direction]: cursor }));
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ limit: pageSize, offset: 0 });
      const ids: string[] = page.body.data.map((user: any) => user.id);
      seen.push(ids);
      if (!page.body.has_more) {
        expect(ids.length).toBeLessThanOrEqual(pageSize);
        break;
      }
      expect(ids).toHaveLength(pageSize);
      cursor = direction === "starting_after" ? ids.at(-1) : ids[0];
      await between(pageNumber);
    }
    return direction === "starting_after" ? seen.flat() : seen.reverse().flat();
  }

  for (const sortKey of SORT_KEYS) {
    for (const sortOrder of ORDERS) {
      for (const withSearch of [true, false]) {
        it(`sort ${sortKey} ${sortOrder}${withSearch ? " with search" : ""}: pages across inserts and deletes never skip or repeat a user`, async () => {
          const tag = `cur${uniqueTag()}`;
          // Without a search the walk covers the whole deployment: a fresh one holds only this test's users.
          api = withSearch ? call : (await createSecondDeployment(server, tag)).call;
          for (let i = 0; i < 9; i++) await createMixedUser(tag, i);
          const params = { sort_key: sortKey, sort_order: sortOrder, search: withSearch ? tag : undefined };
          const before = await listIds(params);

          for (const direction of ["starting_after", "ending_before"] as const) {
            const start = await listIds(params);
            // Between pages: one user inserted, one user of the list deleted (never the cursor's own).
            const deleted = new Set<string>();
            const seen = await walk(params, direction, 2, async (pageNumber) => {
              await createMixedUser(tag, 100 + pageNumber);
              const current = await listIds(params);
              const victim = current[direction === "starting_after" ? current.length - 1 : 0];
              if (victim && !deleted.has(victim)) {
                deleted.add(victim);
                expect((await api("DELETE", `/users/${victim}`)).status).toBe(200);
              }
            });
            expect(new Set(seen).size).toBe(seen.length);
            // Every user there at the start and never deleted is seen, in the list's order.
            const survivors = start.filter((id) => !deleted.has(id));
            expect(seen.filter((id) => start.includes(id))).toEqual(survivors);
          }

          // Without changes in between, both walks give exactly the offset list.
          const now = await listIds(params);
          expect(await walk(params, "starting_after", 3, async () => {})).toEqual(now);
          expect(await walk(params, "ending_before", 4, async () => {})).toEqual(now);
          expect(before.length).toBeGreaterThan(0);
        });
      }
    }
  }

  it("combines a cursor with the exact filters", async () => {
    const tag = `cf${uniqueTag()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createUser(call, { last_name: tag, password: undefined, skip_password_check: true })).id);
    const filter = ids
      .slice(0, 4)
      .map((id) => `user_id=${id}`)
      .join("&");
    const first = await call("GET", `/users?${filter}&sort_order=asc&limit=2`);
    expect(first.body).toMatchObject({ total: 4, has_more: true, offset: 0 });
    const second = await call("GET", `/users?${filter}&sort_order=asc&limit=2&starting_after=${first.body.data[1].id}`);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ total: 4, has_more: false, limit: 2, offset: 0 });
    expect([...first.body.data, ...second.body.data].map((user: any) => user.id)).toEqual(ids.slice(0, 4));
    const back = await call("GET", `/users?${filter}&sort_order=asc&limit=2&ending_before=${second.body.data[0].id}`);
    expect(back.body.data.map((user: any) => user.id)).toEqual(ids.slice(0, 2));
    expect(back.body.has_more).toBe(false);
  });

  it("refuses an unknown cursor, a cursor of another deployment, both cursors, and a cursor with an offset, naming the field", async () => {
    const user = await createUser(call, { password: undefined, skip_password_check: true });
    const unknown = await call("GET", "/users?starting_after=user_doesnotexist");
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe("validation_failed");
    expect(unknown.body.details).toHaveProperty("starting_after");
    const unknownBefore = await call("GET", "/users?ending_before=user_doesnotexist");
    expect(unknownBefore.status).toBe(400);
    expect(unknownBefore.body.details).toHaveProperty("ending_before");

    const other = await createSecondDeployment(server, `cursor${uniqueTag()}`);
    const elsewhere = await other.call("GET", `/users?starting_after=${user.id}`);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.details).toHaveProperty("starting_after");

    const both = await call("GET", `/users?starting_after=${user.id}&ending_before=${user.id}`);
    expect(both.status).toBe(400);
    expect(both.body.details).toHaveProperty("ending_before");
    const withOffset = await call("GET", `/users?starting_after=${user.id}&offset=5`);
    expect(withOffset.status).toBe(400);
    expect(withOffset.body.details).toHaveProperty("offset");
    // offset=0 given explicitly is the cursor's own offset.
    expect((await call("GET", `/users?starting_after=${user.id}&offset=0`)).status).toBe(200);
  });
});
