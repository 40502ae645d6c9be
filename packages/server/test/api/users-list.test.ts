import { describe, expect, it } from "vitest";
import { uniqueEmail, uniquePhone, uniqueUsername } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createUser, uniqueTag } from "../helpers/fixtures.js";
import { useServer } from "../helpers/use-server.js";

const query = (params: Record<string, string | number | Array<string | number>>) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  return `/users?${search}`;
};

describe.each(DIALECTS)("listing users on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;

  /** Ids of every user matching `params`, read page by page with `pageSize`. */
  async function pageThrough(params: Record<string, string | number>, pageSize: number): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += pageSize) {
      const page = await call("GET", query({ ...params, limit: pageSize, offset }));
      expect(page.status).toBe(200);
      ids.push(...page.body.data.map((user: any) => user.id));
      expect(page.body.has_more).toBe(offset + page.body.data.length < page.body.total);
      if (!page.body.has_more) return ids;
    }
  }

  describe("paging", () => {
    it("defaults to 10 and answers {data, total, has_more, limit, offset} on every page", async () => {
      const tag = `pg${uniqueTag()}`;
      for (let i = 0; i < 12; i++) await createUser(call, { last_name: `${tag}` });
      const first = await call("GET", query({ search: tag }));
      expect(first.status).toBe(200);
      expect(Object.keys(first.body).sort()).toEqual(["data", "has_more", "limit", "offset", "total"]);
      expect(first.body).toMatchObject({ total: 12, has_more: true, limit: 10, offset: 0 });
      expect(first.body.data).toHaveLength(10);
      const last = await call("GET", query({ search: tag, offset: 10 }));
      expect(last.body).toMatchObject({ total: 12, has_more: false, limit: 10, offset: 10 });
      expect(last.body.data).toHaveLength(2);
      const beyond = await call("GET", query({ search: tag, offset: 50 }));
      expect(beyond.body).toMatchObject({ data: [], total: 12, has_more: false, offset: 50 });
      const all = await call("GET", query({ search: tag, limit: 500 }));
      expect(all.body).toMatchObject({ total: 12, has_more: false, limit: 500 });
      expect(all.body.data).toHaveLength(12);
    });

    it.each([["0"], ["501"], ["abc"], ["-1"], ["1.5"]])("refuses limit=%s with 400 naming limit", async (limit) => {
      const response = await call("GET", `/users?limit=${limit}`);
      expect(response.status).toBe(400);
      expect(response.body.details).toHaveProperty("limit");
      expect(response.body.message).toContain("limit");
    });

    it("accepts limit 1 and 500, and refuses a negative offset", async () => {
      expect((await call("GET", "/users?limit=1")).body.limit).toBe(1);
      expect((await call("GET", "/users?limit=500")).body.limit).toBe(500);
      const negative = await call("GET", "/users?offset=-1");
      expect(negative.status).toBe(400);
      expect(negative.body.details).toHaveProperty("offset");
    });

    it("pages through ties in a stable order broken by id: no duplicates, nothing missing", async () => {
      const tag = `tie${uniqueTag()}`;
      const ids: string[] = [];
      for (let i = 0; i < 9; i++) ids.push((await createUser(call, { last_name: tag })).id);
      // Same created_at for all of them, so only the id can order them.
      await server.db.updateTable("users").set({ created_at: 1_700_000_000_000 }).where("id", "in", ids).execute();

      const descending = await pageThrough({ search: tag }, 2);
      expect(descending).toEqual([...ids].sort().reverse());
      const ascending = await pageThrough({ search: tag, sort_order: "asc" }, 4);
      expect(ascending).toEqual([...ids].sort());
    });

    it("sorts newest first by default", async () => {
      const tag = `new${uniqueTag()}`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const id = (await createUser(call, { last_name: tag })).id;
        await server.db
          .updateTable("users")
          .set({ created_at: 1_700_000_000_000 + i * 1000 })
          .where("id", "=", id)
          .execute();
        ids.push(id);
      }
      expect((await call("GET", query({ search: tag }))).body.data.map((u: any) => u.id)).toEqual([...ids].reverse());
    });
  });

  describe("sort_key", () => {
    it("sorts by username, email and phone_number, asc and desc, users without the value last", async () => {
      const tag = `srt${uniqueTag()}`;
      // Distinct only in one lower-case letter (and one last digit), so every collation orders them the same way.
      const phoneBase = uniquePhone().slice(0, -1);
      const users: any[] = [];
      for (const [letter, digit] of [
        ["c", 3],
        ["a", 1],
        ["b", 2],
      ] as const) {
        const user = await createUser(call, {
          last_name: tag,
          username: `${tag}${letter}`,
          email_address: `${tag}.${letter}@example.com`,
          phone_number: `${phoneBase}${digit}`,
        });
        users.push({ letter, ...user });
      }
      const bare = await createUser(call, { last_name: tag, email_address: undefined, username: `${tag}z`, skip_password_check: true, password: undefined });
      const byLetter = (order: string) => order.split("").map((letter) => users.find((u) => u.letter === letter)!.id);

      for (const [sortKey, bareLast] of [
        ["username", false],
        ["email", true],
        ["phone_number", true],
      ] as const) {
        const asc = (await call("GET", query({ search: tag, sort_key: sortKey, sort_order: "asc" }))).body.data.map((u: any) => u.id);
        const desc = (await call("GET", query({ search: tag, sort_key: sortKey, sort_order: "desc" }))).body.data.map((u: any) => u.id);
        if (bareLast) {
          expect(asc, `${sortKey} asc`).toEqual([...byLetter("abc"), bare.id]);
          expect(desc, `${sortKey} desc`).toEqual([...byLetter("cba"), bare.id]);
        } else {
          expect(asc, `${sortKey} asc`).toEqual([...byLetter("abc"), bare.id]);
          expect(desc, `${sortKey} desc`).toEqual([bare.id, ...byLetter("cba")]);
        }
      }
    });

    it("sorts emails case-insensitively, as they compare", async () => {
      const tag = `ci${uniqueTag()}`;
      const upper = await createUser(call, { last_name: tag, email_address: `${tag}.Zed@example.com` });
      const lower = await createUser(call, { last_name: tag, email_address: `${tag}.adam@example.com` });
      const asc = (await call("GET", query({ search: tag, sort_key: "email", sort_order: "asc" }))).body.data.map((u: any) => u.id);
      expect(asc).toEqual([lower.id, upper.id]);
    });

    it("refuses an unknown sort_key or sort_order with 400 naming it", async () => {
      const key = await call("GET", "/users?sort_key=password");
      expect(key.status).toBe(400);
      expect(key.body.details).toHaveProperty("sort_key");
      const order = await call("GET", "/users?sort_order=up");
      expect(order.status).toBe(400);
      expect(order.body.details).toHaveProperty("sort_order");
    });
  });

  describe("search", () => {
    it("matches names, username, every email and every phone, case-insensitively", async () => {
      const tag = uniqueTag();
      const phone = uniquePhone();
      const secondPhone = uniquePhone();
      const secondEmail = `second.${tag}@Example.org`;
      const user = await createUser(call, {
        first_name: `Zebulon${tag}`,
        last_name: `Quixote${tag}`,
        username: `wanderer_${tag}`,
        email_address: `first.${tag}@example.com`,
        phone_number: phone,
      });
      expect((await call("POST", `/users/${user.id}/emails`, { email: secondEmail })).status).toBe(200);
      expect((await call("POST", `/users/${user.id}/phones`, { phone_number: secondPhone })).status).toBe(200);

      const needles = [
        `ZEBULON${tag}`,
        `quixote${tag.toUpperCase()}`,
        `Wanderer_${tag}`,
        `FIRST.${tag}`,
        `second.${tag}@example.ORG`, // not the primary email
        phone,
        secondPhone.slice(2), // a substring of a phone that is not primary
      ];
      for (const needle of needles) {
        const page = await call("GET", query({ search: needle }));
        expect(page.status, needle).toBe(200);
        expect(
          page.body.data.map((u: any) => u.id),
          needle,
        ).toEqual([user.id]);
        expect(page.body.total, needle).toBe(1);
      }
      expect((await call("GET", query({ search: `nomatch${tag}` }))).body.total).toBe(0);
    });

    it("follows changes to names and identifiers", async () => {
      const tag = uniqueTag();
      const user = await createUser(call, { first_name: `Before${tag}` });
      await call("PATCH", `/users/${user.id}`, { first_name: `After${tag}` });
      expect((await call("GET", query({ search: `before${tag}` }))).body.total).toBe(0);
      expect((await call("GET", query({ search: `after${tag}` }))).body.total).toBe(1);
      const email = (await call("POST", `/users/${user.id}/emails`, { email: `late.${tag}@example.com` })).body;
      expect((await call("GET", query({ search: `late.${tag}` }))).body.total).toBe(1);
      await call("DELETE", `/users/${user.id}/emails/${email.id}`);
      expect((await call("GET", query({ search: `late.${tag}` }))).body.total).toBe(0);
    });

    it("answers one- and two-character searches", async () => {
      // Letters that appear in neither user's email ("user.<hex>@example.com") nor in the hex tag.
      const tag = uniqueTag();
      const match = await createUser(call, { first_name: "Jq", last_name: `Xw${tag}` });
      const other = await createUser(call, { first_name: "Kk", last_name: `Nn${tag}` });
      const ids = { user_id: [match.id, other.id] };
      for (const needle of ["j", "Q", "jq", "JQ", "xw"]) {
        const page = await call("GET", query({ ...ids, search: needle }));
        expect(page.status, needle).toBe(200);
        expect(
          page.body.data.map((u: any) => u.id),
          needle,
        ).toEqual([match.id]);
      }
      expect((await call("GET", query({ ...ids, search: "K" }))).body.data.map((u: any) => u.id)).toEqual([other.id]);
      // Across the whole deployment a short search still answers, and only with users that contain it.
      const wide = await call("GET", query({ search: "jq", limit: 500 }));
      expect(wide.status).toBe(200);
      expect(wide.body.data.map((u: any) => u.id)).toContain(match.id);
      expect(wide.body.data.map((u: any) => u.id)).not.toContain(other.id);
    });

    it("treats %, _, quotes and apostrophes literally", async () => {
      const tag = uniqueTag();
      const special = await createUser(call, { first_name: `50%_off"${tag}`, last_name: `O'Brien${tag}` });
      const plain = await createUser(call, { first_name: `50xyoff${tag}`, last_name: `OBrien${tag}` });
      const ids = { user_id: [special.id, plain.id] };
      for (const needle of ["%", "_", '"', "'", "%_", "0%_o", `off"${tag}`, `o'brien${tag}`, `"${tag}`, "'b"]) {
        const page = await call("GET", query({ ...ids, search: needle }));
        expect(page.status, needle).toBe(200);
        expect(
          page.body.data.map((u: any) => u.id),
          needle,
        ).toEqual([special.id]);
      }
      for (const needle of ["%%", "\\", "x%", `"""`, "''"]) {
        const page = await call("GET", query({ ...ids, search: needle }));
        expect(page.status, needle).toBe(200);
        expect(page.body.total, needle).toBe(0);
      }
      // Without the id filter: a bare "%" must not match everyone.
      const wide = await call("GET", query({ search: "%", limit: 500 }));
      expect(wide.body.data.map((u: any) => u.id)).toContain(special.id);
      expect(wide.body.data.map((u: any) => u.id)).not.toContain(plain.id);
    });
  });

  describe("exact filters", () => {
    it("filters by email_address (any of a user's emails, case-insensitive), repeatable", async () => {
      const first = await createUser(call, { email_address: uniqueEmail("filt") });
      const second = await createUser(call);
      const extra = uniqueEmail("extra");
      await call("POST", `/users/${second.id}/emails`, { email: extra });
      const one = await call("GET", query({ email_address: first.primary_email_address.toUpperCase() }));
      expect(one.body.data.map((u: any) => u.id)).toEqual([first.id]);
      expect(one.body.total).toBe(1);
      const byExtra = await call("GET", query({ email_address: extra }));
      expect(byExtra.body.data.map((u: any) => u.id)).toEqual([second.id]);
      const both = await call("GET", query({ email_address: [first.primary_email_address, extra], sort_order: "asc" }));
      expect(both.body.data.map((u: any) => u.id)).toEqual([first.id, second.id]);
      // A substring is not an exact match.
      expect((await call("GET", query({ email_address: first.primary_email_address.slice(1) }))).body.total).toBe(0);
      const invalid = await call("GET", query({ email_address: "not-an-email" }));
      expect(invalid.status).toBe(400);
      expect(invalid.body.details).toHaveProperty("email_address");
    });

    it("filters by phone_number, username and user_id, repeatable", async () => {
      const phone = uniquePhone();
      const username = uniqueUsername("Exact");
      const a = await createUser(call, { phone_number: phone });
      const b = await createUser(call, { username });
      const c = await createUser(call);
      expect((await call("GET", query({ phone_number: phone }))).body.data.map((u: any) => u.id)).toEqual([a.id]);
      expect((await call("GET", query({ username: username.toLowerCase() }))).body.data.map((u: any) => u.id)).toEqual([b.id]);
      expect((await call("GET", query({ username: username.slice(0, -1) }))).body.total).toBe(0);
      const ids = await call("GET", query({ user_id: [a.id, c.id], sort_order: "asc" }));
      expect(ids.body.data.map((u: any) => u.id)).toEqual([a.id, c.id]);
      expect(ids.body.total).toBe(2);
      const usernames = await call("GET", query({ username: [username, "nobody_here"], phone_number: [phone] }));
      // Different filters combine with AND: nobody has both.
      expect(usernames.body.total).toBe(0);
      const combined = await call("GET", query({ user_id: [a.id, b.id], phone_number: phone }));
      expect(combined.body.data.map((u: any) => u.id)).toEqual([a.id]);
      expect((await call("GET", query({ user_id: "usr_nobody" }))).body).toMatchObject({ data: [], total: 0, has_more: false });
    });
  });
});
