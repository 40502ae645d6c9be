import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeployment } from "../../src/deployments/deployments.service.js";
import { addEmail, addPhone, removePhone, updateEmail, updatePhone } from "../../src/identifiers/identifiers.service.js";
import { linkSocialConnection } from "../../src/social-connections/social-connections.service.js";
import type { Db, DbHandle } from "../../src/storage/db.js";
import { createUser, removeEmail, updateUser } from "../../src/user-accounts/user-accounts.service.js";
import { listUsers } from "../../src/users/users.storage.js";
import { uniqueEmail, uniquePhone } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { openTestDb } from "../helpers/test-database.js";
import { TEST_CONTEXT } from "../helpers/change-context.js";

/**
 * Search contract: a case-insensitive substring of names, username, every email and every phone,
 * answered from an index (pg_trgm on Postgres, FTS5 trigrams on SQLite, LIKE for needles under
 * three characters). Storage receives the needle already lower-cased, as the route sends it.
 * Each test works in a deployment of its own, so it knows every user a search can find.
 */
describe.each(DIALECTS)("search on %s", (dialect) => {
  let handle: DbHandle;
  let db: Db;

  beforeAll(async () => {
    handle = await openTestDb(dialect);
    db = handle.db;
  });
  afterAll(async () => handle?.close());

  const freshDeployment = async () => (await createDeployment(db, "search")).id;

  /** The ids found, sorted: users made in the same millisecond have no creation order to rely on. */
  async function search(deploymentId: string, needle: string): Promise<string[]> {
    const page = await listUsers(db, deploymentId, { limit: 100, offset: 0, sortKey: "created_at", sortOrder: "asc", search: needle });
    expect(page.total).toBe(page.items.length);
    return page.items.map((user) => user.id).sort();
  }
  const sorted = (ids: string[]) => [...ids].sort();

  it("finds users by any part of any name, username, email or phone, in any case", async () => {
    const deploymentId = await freshDeployment();
    const zoe = await createUser(db, deploymentId, TEST_CONTEXT, {
      firstName: "Zoë",
      lastName: "Quinnelly",
      username: "ZQ_Builder",
      emailAddress: "Zoe.Q@Example.org",
      phoneNumber: "+14155552671",
      skipPasswordCheck: true,
    });
    const bob = await createUser(db, deploymentId, TEST_CONTEXT, {
      firstName: "Bob",
      lastName: "Marley",
      emailAddress: "bob@reggae.test",
      skipPasswordCheck: true,
    });
    const cases: Array<[needle: string, expected: string[]]> = [
      ["zoë", [zoe.id]],
      ["quinnelly", [zoe.id]],
      ["innel", [zoe.id]],
      ["zq_builder", [zoe.id]],
      ["zoe.q@example", [zoe.id]],
      ["example.org", [zoe.id]],
      ["+1415555", [zoe.id]],
      ["2671", [zoe.id]],
      ["marley", [bob.id]],
      ["reggae.test", [bob.id]],
      // Across the words of the searchable text, as a substring does.
      ["zoë quinn", [zoe.id]],
      ["bob mar", [bob.id]],
      ["nobody", []],
      // Both users' text contains "e": an empty result here would mean the index lost someone.
      ["e", [zoe.id, bob.id]],
    ];
    for (const [needle, expected] of cases) expect(await search(deploymentId, needle), needle).toEqual(sorted(expected));
  });

  it("answers needles of one and two characters (below trigram length) by substring too", async () => {
    const deploymentId = await freshDeployment();
    const ab = await createUser(db, deploymentId, TEST_CONTEXT, { firstName: "Xa", lastName: "Yb", username: "qq_1", skipPasswordCheck: true });
    const cd = await createUser(db, deploymentId, TEST_CONTEXT, { firstName: "Wc", lastName: "Vd", username: "rr_2", skipPasswordCheck: true });
    expect(await search(deploymentId, "x")).toEqual([ab.id]);
    expect(await search(deploymentId, "xa")).toEqual([ab.id]);
    expect(await search(deploymentId, "a y")).toEqual([ab.id]);
    expect(await search(deploymentId, "vd")).toEqual([cd.id]);
    expect(await search(deploymentId, "_")).toEqual(sorted([ab.id, cd.id]));
    expect(await search(deploymentId, "q_")).toEqual([ab.id]);
    expect(await search(deploymentId, "%")).toEqual([]);
    expect(await search(deploymentId, "zz")).toEqual([]);
    expect(await search(deploymentId, "é")).toEqual([]);
  });

  it("treats LIKE and FTS5 syntax as literal text", async () => {
    const deploymentId = await freshDeployment();
    const literal = await createUser(db, deploymentId, TEST_CONTEXT, {
      firstName: '100%_"real"',
      lastName: "a\\b NEAR(x) OR*",
      username: "plain_one",
      skipPasswordCheck: true,
    });
    const plain = await createUser(db, deploymentId, TEST_CONTEXT, {
      firstName: "100 real",
      lastName: "ab near x or",
      username: "plain_two",
      skipPasswordCheck: true,
    });
    const cases: Array<[string, string[]]> = [
      ["%", [literal.id]],
      ["%_", [literal.id]],
      ["0%_", [literal.id]],
      ['"', [literal.id]],
      ['"real"', [literal.id]],
      ["a\\b", [literal.id]],
      ["\\", [literal.id]],
      ["near(", [literal.id]],
      ["near(x) or*", [literal.id]],
      ["or*", [literal.id]],
      ["or", [literal.id, plain.id]],
      ["near", [literal.id, plain.id]],
      ["' or 1=1 --", []],
      ["1=1", []],
      ["*", [literal.id]],
      ["real", [literal.id, plain.id]],
    ];
    for (const [needle, expected] of cases) expect(await search(deploymentId, needle), needle).toEqual(sorted(expected));
  });

  it("follows every change to names, usernames, emails and phones", async () => {
    const deploymentId = await freshDeployment();
    const oldEmail = uniqueEmail("oldaddress");
    const user = await createUser(db, deploymentId, TEST_CONTEXT, {
      firstName: "Ada",
      lastName: "Byron",
      username: "countess",
      emailAddress: oldEmail,
      skipPasswordCheck: true,
    });
    const finds = async (needle: string) => (await search(deploymentId, needle)).includes(user.id);
    expect(await finds("byron")).toBe(true);

    await updateUser(db, deploymentId, TEST_CONTEXT, user.id, { lastName: "Lovelace", username: "enchantress" });
    expect(await finds("byron")).toBe(false);
    expect(await finds("countess")).toBe(false);
    expect(await finds("lovelace")).toBe(true);
    expect(await finds("enchantress")).toBe(true);
    await updateUser(db, deploymentId, TEST_CONTEXT, user.id, { username: null });
    expect(await finds("enchantress")).toBe(false);

    const added = await addEmail(db, deploymentId, TEST_CONTEXT, user.id, { email: uniqueEmail("secondaddress"), verified: true });
    expect(await finds("secondaddress")).toBe(true);
    await updateEmail(db, deploymentId, TEST_CONTEXT, user.id, added.id, { email: uniqueEmail("renamedaddress") });
    expect(await finds("secondaddress")).toBe(false);
    expect(await finds("renamedaddress")).toBe(true);
    await removeEmail(db, deploymentId, TEST_CONTEXT, user.id, added.id);
    expect(await finds("renamedaddress")).toBe(false);
    expect(await finds("oldaddress")).toBe(true);

    const phone = uniquePhone();
    const addedPhone = await addPhone(db, deploymentId, TEST_CONTEXT, user.id, { phoneNumber: phone });
    expect(await finds(phone)).toBe(true);
    const newPhone = uniquePhone();
    await updatePhone(db, deploymentId, TEST_CONTEXT, user.id, addedPhone.id, { phoneNumber: newPhone });
    expect(await finds(phone)).toBe(false);
    expect(await finds(newPhone)).toBe(true);
    await removePhone(db, deploymentId, TEST_CONTEXT, user.id, addedPhone.id);
    expect(await finds(newPhone)).toBe(false);

    // An email brought by a social connection is searchable like any other.
    await linkSocialConnection(db, deploymentId, TEST_CONTEXT, user.id, {
      provider: "github",
      providerUserId: "4242",
      emailAddress: uniqueEmail("fromgithub"),
    });
    expect(await finds("fromgithub")).toBe(true);
  });

  it("counts every match in total, pages them, and combines with exact filters", async () => {
    const deploymentId = await freshDeployment();
    const ids: string[] = [];
    // Sorted by username, so the order does not depend on creation times.
    for (let i = 0; i < 7; i++)
      ids.push((await createUser(db, deploymentId, TEST_CONTEXT, { firstName: `Pager${i}`, username: `pager_${i}`, skipPasswordCheck: true })).id);
    await createUser(db, deploymentId, TEST_CONTEXT, { firstName: "Other", username: "other_one", skipPasswordCheck: true });
    const first = await listUsers(db, deploymentId, { limit: 3, offset: 0, sortKey: "username", sortOrder: "asc", search: "pager" });
    expect(first.total).toBe(7);
    expect(first.items.map((user) => user.id)).toEqual(ids.slice(0, 3));
    const last = await listUsers(db, deploymentId, { limit: 3, offset: 6, sortKey: "username", sortOrder: "asc", search: "pager" });
    expect(last.items.map((user) => user.id)).toEqual(ids.slice(6));
    expect(typeof last.total).toBe("number");
    const filtered = await listUsers(db, deploymentId, {
      limit: 10,
      offset: 0,
      sortKey: "username",
      sortOrder: "desc",
      search: "pager",
      userIds: [ids[1]!, ids[4]!],
    });
    expect(filtered.items.map((user) => user.id)).toEqual([ids[4], ids[1]]);
    expect(filtered.total).toBe(2);
  });
});
