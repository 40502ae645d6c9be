import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, uniquePhone, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createUser, getDetails } from "../helpers/fixtures.js";
import { frontendClient, type FrontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const PHC_ARGON2ID = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;
const uniqueExternalId = (label = "ext") => `${label}|${Math.random().toString(36).slice(2, 12)}`;
// Made once by bcryptjs (an implementation independent of the server's @node-rs/bcrypt), cost 4 to keep tests fast.
const PASSWORD = "imported password 1";
const DIGEST = bcrypt.hashSync(PASSWORD, 4);

describe.each(DIALECTS)("POST /users/import on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let frontend: FrontendClient;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
    frontend = frontendClient(server.baseUrl);
  });
  afterAll(async () => server?.close());

  const storedHash = async (userId: string) =>
    (await server.db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirstOrThrow()).password_hash;
  const importUsers = (body: unknown, headers: Record<string, string> = {}) => call("POST", "/users/import", body, headers);

  it("creates users with everything they bring; they sign in with their old password, which becomes argon2id", async () => {
    const email = uniqueEmail("imported");
    const unverified = uniqueEmail("unverified");
    const phone = uniquePhone();
    const externalId = uniqueExternalId("auth0");
    const response = await importUsers({
      users: [
        {
          external_id: externalId,
          first_name: "Grace",
          last_name: "Hopper",
          email_addresses: [
            { email: unverified, verified: false },
            { email, verified: true },
          ],
          phone_numbers: [{ phone_number: phone, verified: true }],
          password_digest: DIGEST,
          password_hasher: "bcrypt",
          created_at: "2020-02-03T04:05:06.789Z",
          public_metadata: { plan: "pro" },
          private_metadata: { legacy_id: 7 },
          social_connections: [{ provider: "github", provider_user_id: "12345", email_address: email }],
        },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ created: 1, updated: 0, skipped: 0, failed: 0 });
    const [result] = response.body.results;
    expect(result).toEqual({ index: 0, status: "created", user_id: expect.stringMatching(/^usr_/), error: null });

    const details = await getDetails(call, result.user_id);
    expect(details).toMatchObject({
      external_id: externalId,
      first_name: "Grace",
      last_name: "Hopper",
      created_at: "2020-02-03T04:05:06.789Z",
      primary_email_address: email,
      primary_phone_number: phone,
      public_metadata: { plan: "pro" },
      private_metadata: { legacy_id: 7 },
      has_password: true,
      disabled: false,
    });
    expect(details.email_addresses.map((e: any) => [e.email, e.verified, e.is_primary])).toEqual([
      [unverified, false, false],
      [email, true, true],
    ]);
    expect(details.email_addresses[1].verification_strategy).toBe("oauth_github");
    expect(details.social_connections).toEqual([
      expect.objectContaining({
        provider: "github_oauth",
        provider_user_id: "12345",
        email_address: email,
        user_email_address_id: details.email_addresses[1].id,
      }),
    ]);

    expect(await storedHash(result.user_id)).toBe(DIGEST);
    expect((await frontend.signIn(email, "not the password")).status).toBe(401);
    expect((await frontend.signIn(email, PASSWORD)).status).toBe(200);
    expect(await storedHash(result.user_id)).toMatch(PHC_ARGON2ID);
    expect((await frontend.signIn(phone, PASSWORD)).status).toBe(200);
  });

  it("reports each bad item with its index and reason while the rest import, leaving no partial user", async () => {
    const taken = await createUser(call, { phone_number: uniquePhone() });
    const duplicateExternalId = uniqueExternalId("dup");
    const good = [uniqueEmail("good0"), uniqueEmail("good1"), uniqueEmail("good2")];
    const halfEmail = uniqueEmail("half");
    const overCost = DIGEST.replace(/^\$2([aby])\$\d\d\$/, "$$2$1$$16$$");
    const response = await importUsers({
      users: [
        { email_address: good[0], external_id: duplicateExternalId, password_digest: DIGEST, password_hasher: "bcrypt" },
        { email_address: "not an email" },
        { email_address: uniqueEmail("dup"), external_id: duplicateExternalId },
        { email_address: good[1] },
        { email_address: taken.primary_email_address, external_id: uniqueExternalId() },
        { email_address: uniqueEmail("digest"), password_digest: "$2b$10$tooshort", password_hasher: "bcrypt" },
        { email_address: uniqueEmail("cost"), password_digest: overCost, password_hasher: "bcrypt" },
        { email_address: uniqueEmail("hasher"), password_digest: DIGEST, password_hasher: "md4" },
        // The email is free, the phone is not: the whole user rolls back, email included.
        { email_address: halfEmail, phone_number: taken.primary_phone_number },
        { email_address: uniqueEmail("extra"), favourite_colour: "blue" },
        { email_address: good[2] },
      ],
    });
    expect(response.status).toBe(200);
    const results = response.body.results;
    expect(results.map((r: any) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(results.map((r: any) => r.status)).toEqual([
      "created",
      "failed",
      "failed",
      "created",
      "failed",
      "failed",
      "failed",
      "failed",
      "failed",
      "failed",
      "created",
    ]);
    expect(response.body).toMatchObject({ created: 3, failed: 8, skipped: 0, updated: 0 });
    expect(results[1].error).toMatchObject({ code: "validation_failed", field: "email_address" });
    expect(results[2].error).toMatchObject({ code: "external_id_taken", field: "external_id" });
    expect(results[4].error).toMatchObject({ code: "email_taken", field: "email_addresses[0].email" });
    expect(results[5].error).toMatchObject({ code: "invalid_password_digest", field: "password_digest" });
    expect(results[6].error).toMatchObject({ code: "invalid_password_digest", field: "password_digest" });
    expect(results[6].error.message).toMatch(/cost of at most/);
    expect(results[7].error).toMatchObject({ code: "unsupported_password_hasher", field: "password_hasher" });
    expect(results[8].error).toMatchObject({ code: "phone_number_taken", field: "phone_numbers[0].phone_number" });
    expect(results[9].error).toMatchObject({ code: "validation_failed", field: "favourite_colour" });
    for (const failed of results.filter((r: any) => r.status === "failed")) {
      expect(failed.user_id).toBeNull();
      expect(failed.error.message).toEqual(expect.any(String));
    }
    expect((await call("GET", `/users?email_address=${encodeURIComponent(halfEmail)}`)).body.total).toBe(0);
    const emails = await server.db.selectFrom("user_emails").select("email").where("email", "=", halfEmail).execute();
    expect(emails).toEqual([]);
    for (const email of good) expect((await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.total).toBe(1);
  });

  it("skips on a re-run (by external_id, or by primary email without one); update replaces fields and adds identifiers", async () => {
    const withId = { external_id: uniqueExternalId("rerun"), first_name: "Old", email_address: uniqueEmail("rerun") };
    const withoutId = { first_name: "Old", email_addresses: [{ email: uniqueEmail("byemail"), verified: true }] };
    const first = await importUsers({ users: [withId, withoutId] });
    expect(first.body).toMatchObject({ created: 2 });
    const [a, b] = first.body.results.map((r: any) => r.user_id);

    const again = await importUsers({ users: [withId, withoutId] });
    expect(again.body).toMatchObject({ created: 0, skipped: 2, failed: 0 });
    expect(again.body.results.map((r: any) => [r.status, r.user_id])).toEqual([
      ["skipped", a],
      ["skipped", b],
    ]);

    const newEmail = uniqueEmail("added");
    const updated = await importUsers({
      on_conflict: "update",
      users: [
        { ...withId, first_name: "New", email_addresses: [{ email: newEmail, verified: true }], public_metadata: { v: 2 }, disabled: true },
        { ...withoutId, last_name: "Updated" },
      ],
    });
    expect(updated.body).toMatchObject({ updated: 2, created: 0 });
    const details = await getDetails(call, a);
    expect(details).toMatchObject({ first_name: "New", public_metadata: { v: 2 }, disabled: true, primary_email_address: withId.email_address });
    expect(details.email_addresses.map((e: any) => [e.email, e.is_primary])).toEqual([
      [withId.email_address, true],
      [newEmail, false],
    ]);
    expect((await getDetails(call, b)).last_name).toBe("Updated");
  });

  it("update marks stored identifiers verified when the item says so, never unverifies them, and keeps one primary", async () => {
    const externalId = uniqueExternalId("verify");
    const [unverified, alreadyVerified] = [uniqueEmail("later"), uniqueEmail("known")];
    const phone = uniquePhone();
    const first = await importUsers({
      users: [
        {
          external_id: externalId,
          email_addresses: [
            { email: unverified, verified: false },
            { email: alreadyVerified, verified: false },
          ],
          phone_numbers: [{ phone_number: phone, verified: false }],
        },
      ],
    });
    const userId = first.body.results[0].user_id;
    expect((await getDetails(call, userId)).primary_email_address).toBeNull();

    const verifiedLater = await importUsers({
      on_conflict: "update",
      users: [
        {
          external_id: externalId,
          // The stored spelling stays: identifiers are matched by value, case aside.
          email_addresses: [
            { email: unverified.toUpperCase(), verified: true },
            { email: alreadyVerified, verified: true },
          ],
          phone_numbers: [{ phone_number: phone, verified: true }],
        },
      ],
    });
    expect(verifiedLater.body).toMatchObject({ updated: 1, failed: 0 });
    const details = await getDetails(call, userId);
    expect(details.email_addresses.map((e: any) => [e.email, e.verified, e.is_primary, e.verification_strategy])).toEqual([
      [unverified, true, true, "otp"],
      [alreadyVerified, true, false, "otp"],
    ]);
    expect(details.phone_numbers.map((p: any) => [p.phone_number, p.verified, p.is_primary])).toEqual([[phone, true, true]]);
    expect(details).toMatchObject({ primary_email_address: unverified, primary_phone_number: phone });

    // An item that lists them unverified (the old system forgot) leaves them verified.
    await importUsers({ on_conflict: "update", users: [{ external_id: externalId, email_addresses: [{ email: unverified, verified: false }] }] });
    expect((await getDetails(call, userId)).email_addresses.map((e: any) => [e.verified, e.is_primary])).toEqual([
      [true, true],
      [true, false],
    ]);
  });

  it("a batch's users are searchable and counted (indexed in bulk), and users created after it still are", async () => {
    const tag = `srch${Math.random().toString(36).slice(2, 8)}`;
    const before = (await call("GET", "/users?limit=1")).body.total;
    const users = Array.from({ length: 120 }, (_, i) => ({ first_name: `${tag}first${i}`, email_address: uniqueEmail(`${tag}-${i}`) }));
    // One that breaks a unique index sends the batch down the one-by-one path, which must index alike.
    const taken = users[0]!.email_address;
    const withDuplicate = [...users, { first_name: `${tag}dup`, email_address: taken }];
    const response = await importUsers({ users: withDuplicate });
    expect(response.body).toMatchObject({ created: 120, failed: 1 });
    const second = await importUsers({ users: [{ first_name: `${tag}second`, email_address: uniqueEmail(`${tag}-second`) }] });
    expect(second.body).toMatchObject({ created: 1 });

    expect((await call("GET", `/users?search=${tag}&limit=1`)).body.total).toBe(121);
    expect((await call("GET", `/users?search=${tag}first77&limit=5`)).body.data.map((u: any) => u.first_name)).toEqual([`${tag}first77`]);
    expect((await call("GET", `/users?search=${encodeURIComponent(users[5]!.email_address)}`)).body.total).toBe(1);
    expect((await call("GET", "/users?limit=1")).body.total).toBe(before + 121);

    const later = await createUser(call, { first_name: `${tag}later` });
    expect((await call("GET", `/users?search=${tag}later`)).body.data.map((u: any) => u.id)).toEqual([later.id]);
    expect((await call("GET", "/users?limit=1")).body.total).toBe(before + 122);
    expect((await call("DELETE", `/users/${later.id}`)).status).toBe(200);
    expect((await call("GET", `/users?search=${tag}later`)).body.total).toBe(0);
    expect((await call("GET", "/users?limit=1")).body.total).toBe(before + 121);
  });

  it("dry_run answers as an import would and writes nothing", async () => {
    const email = uniqueEmail("dry");
    const response = await importUsers({ dry_run: true, users: [{ email_address: email }, { email_address: "bad" }] });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ created: 1, failed: 1 });
    expect((await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.total).toBe(0);
  });

  it("takes an Idempotency-Key: a retry gets the stored answer and creates nobody twice", async () => {
    const email = uniqueEmail("idem");
    const body = { users: [{ email_address: email }] };
    const key = `import-${Math.random()}`;
    const first = await importUsers(body, { "idempotency-key": key });
    const retry = await importUsers(body, { "idempotency-key": key });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual(first.body);
    expect((await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.total).toBe(1);
  });

  it("takes 1,000 users in one call and refuses 1,001 or an empty list", async () => {
    const users = Array.from({ length: 1000 }, (_, i) => ({
      email_address: uniqueEmail(`bulk${i}`),
      password_digest: DIGEST,
      public_metadata: { note: "x".repeat(500) },
    }));
    const response = await importUsers({ users });
    expect(response.status).toBe(200);
    expect(response.body.created).toBe(1000);
    expect((await importUsers({ users: [...users, { email_address: uniqueEmail() }] })).status).toBe(400);
    expect((await importUsers({ users: [] })).status).toBe(400);
    expect((await importUsers({ users: [{}], on_conflict: "merge" })).status).toBe(400);
  });
});
