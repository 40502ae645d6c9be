import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateId } from "../../src/ids.js";
import { sha256Hex } from "../../src/secrets.js";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser, getDetails } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

describe.each(DIALECTS)("sign-in refusals and lockout on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    // The test plays a proxy in front of many client addresses.
    server = await startServer(dialect, { config: { trustProxy: 1, signInFreeAttempts: 3, signInMaxFailures: 5, signInAccountMaxFailures: 8 } });
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  const signInFrom = (address: string, identifier: string, password: string) =>
    frontendClient(server.baseUrl).signIn(identifier, password, { "x-forwarded-for": address });
  const failureRows = (accountKey: string) =>
    server.db
      .selectFrom("sign_in_attempt_failures")
      .selectAll()
      .where("deployment_id", "=", server.deploymentId)
      .where("account_key", "=", accountKey)
      .execute();
  /** Failures as a stranger's earlier tries left them, without waiting out the delays between them. */
  async function leaveFailures(accountKey: string, addressKey: string, count: number) {
    for (let index = 0; index < count; index++) {
      await server.db
        .insertInto("sign_in_attempt_failures")
        .values({
          id: generateId("sif"),
          deployment_id: server.deploymentId,
          account_key: accountKey,
          address_key: addressKey,
          failed_at: Date.now() - 1000 - index,
        })
        .execute();
    }
  }

  it("answers the same 401 invalid_credentials for an unknown identifier, a wrong password, no password and a disabled account", async () => {
    const withPassword = await createUser(call);
    const passwordless = await createUser(call, { password: undefined, skip_password_check: true });
    const disabled = await createUser(call);
    expect((await call("PATCH", `/users/${disabled.id}`, { disabled: true })).status).toBe(200);
    const answers = [];
    for (const [address, identifier] of [
      ["198.51.100.1", uniqueEmail("nobody")],
      ["198.51.100.2", withPassword.primary_email_address],
      ["198.51.100.3", passwordless.primary_email_address],
      ["198.51.100.4", disabled.primary_email_address],
    ] as const) {
      const answer = await signInFrom(address, identifier, "not the password");
      answers.push({ status: answer.status, body: answer.body, cookies: answer.headers.getSetCookie() });
    }
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ status: 401, body: { code: "invalid_credentials" } });
    // Only the right password learns that the account is disabled.
    expect((await signInFrom("198.51.100.4", disabled.primary_email_address, GOOD_PASSWORD)).body.code).toBe("user_disabled");
  });

  it("makes an address wait after its free attempts, alike for accounts that exist and identifiers that do not", async () => {
    const user = await createUser(call);
    for (const [address, identifier] of [
      ["203.0.113.10", user.primary_email_address],
      ["203.0.113.11", uniqueEmail("ghost")],
    ] as const) {
      const statuses = [];
      for (let attempt = 0; attempt < 4; attempt++) statuses.push((await signInFrom(address, identifier, "wrong guess")).status);
      expect(statuses, identifier).toEqual([401, 401, 401, 429]);
      const waiting = await signInFrom(address, identifier, "wrong guess");
      expect(waiting.body.code).toBe("sign_in_throttled");
      expect(Number(waiting.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
  });

  it("shuts a guessing address out of one account without locking the account's owner out", async () => {
    const user = await createUser(call);
    await leaveFailures(user.id, "203.0.113.66", 5);
    // The stranger is refused even with the right password (it is not checked) ...
    const stranger = await signInFrom("203.0.113.66", user.primary_email_address, GOOD_PASSWORD);
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get("retry-after"))).toBeGreaterThan(3000);
    // ... the owner, elsewhere, is not, and the account is not locked.
    expect((await signInFrom("192.0.2.50", user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
    expect(await getDetails(call, user.id)).toMatchObject({ locked: false, lockout_expires_at: null });
  });

  it("locks an account guessed at from many addresses, except for addresses that signed in to it before, and unlock lifts it", async () => {
    const user = await createUser(call);
    expect((await signInFrom("192.0.2.77", user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
    for (let index = 0; index < 7; index++) await leaveFailures(user.id, `198.18.0.${index + 1}`, 1);
    expect((await signInFrom("198.18.1.1", user.primary_email_address, "eighth guess")).status).toBe(401);
    const details = await getDetails(call, user.id);
    expect(details.locked).toBe(true);
    expect(Date.parse(details.lockout_expires_at)).toBeGreaterThan(Date.now());
    // A new address gets the same 401 as any wrong password, even with the right one.
    const fresh = await signInFrom("198.18.2.2", user.primary_email_address, GOOD_PASSWORD);
    expect(fresh.status).toBe(401);
    expect(fresh.body.code).toBe("invalid_credentials");
    // The owner's known address still signs in.
    expect((await signInFrom("192.0.2.77", user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
    const unlocked = await call("POST", `/users/${user.id}/unlock`);
    expect(unlocked.body).toMatchObject({ locked: false, lockout_expires_at: null });
    expect(await failureRows(user.id)).toEqual([]);
    expect((await signInFrom("198.18.2.2", user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
  });

  it("does the same work for an unknown identifier as for a known user's wrong password: one counted failure each", async () => {
    const user = await createUser(call);
    const ghost = uniqueEmail("ghost");
    await signInFrom("203.0.113.99", user.primary_email_address, "wrong");
    await signInFrom("203.0.113.99", ghost, "wrong");
    expect((await failureRows(user.id)).map((row) => row.address_key)).toEqual(["203.0.113.99"]);
    expect((await failureRows(`idf:${sha256Hex(ghost.toLowerCase())}`)).map((row) => row.address_key)).toEqual(["203.0.113.99"]);
    // The right password clears that address's count.
    expect((await signInFrom("203.0.113.99", user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
    expect(await failureRows(user.id)).toEqual([]);
  });
});
