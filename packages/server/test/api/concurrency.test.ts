import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, uniquePhone, uniqueUsername, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/**
 * Uniqueness is decided by unique indexes, not by "check, then insert": with 100 requests racing
 * for one email, exactly one wins and the other 99 are told why, on both engines.
 */
const RACERS = 100;

describe.each(DIALECTS)("concurrent writes on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;

  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  /** Sends every body at once and returns the answers. */
  const race = (bodies: object[]) => Promise.all(bodies.map((body) => call("POST", "/users", body)));

  function expectOneWinner(answers: Array<{ status: number; body: any }>, code: string, field: string) {
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    const losers = answers.filter((answer) => answer.status !== 200);
    expect(losers).toHaveLength(RACERS - 1);
    for (const loser of losers) {
      expect(loser.status, JSON.stringify(loser.body)).toBe(409);
      expect(loser.body.code).toBe(code);
      expect(loser.body.details).toEqual({ [field]: expect.any(String) });
      expect(loser.body.errors).toEqual([{ message: loser.body.message, code: 409 }]);
    }
    return answers.find((answer) => answer.status === 200)!.body;
  }

  async function countUsers(column: "username_normalized" | "id", value: string): Promise<number> {
    const row = await server.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("deployment_id", "=", server.deploymentId)
      .where(column, "=", value)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  it(`lets exactly one of ${RACERS} creates with one email win`, async () => {
    const email = uniqueEmail("race");
    // Different spellings of one address: case-folding must make them collide too.
    const answers = await race(
      Array.from({ length: RACERS }, (_, i) => ({
        first_name: `Racer ${i}`,
        email_address: i % 2 ? email.toUpperCase() : email,
        skip_password_check: true,
      })),
    );
    const winner = expectOneWinner(answers, "email_taken", "email_address");
    const owners = await server.db.selectFrom("user_emails").select("user_id").where("email_normalized", "=", email.toLowerCase()).execute();
    expect(owners).toEqual([{ user_id: winner.id }]);
    // No loser left a user row behind without its email.
    const racers = await server.db.selectFrom("users").select("id").where("first_name", "like", "Racer %").where("primary_email_address", "is", null).execute();
    expect(racers).toEqual([]);
    const listed = await call("GET", `/users?email_address=${encodeURIComponent(email)}`);
    expect(listed.body.total).toBe(1);
    expect(listed.body.data[0].id).toBe(winner.id);
  });

  it(`lets exactly one of ${RACERS} creates with one username win`, async () => {
    const username = uniqueUsername("race");
    const answers = await race(Array.from({ length: RACERS }, (_, i) => ({ username: i % 2 ? username.toUpperCase() : username, skip_password_check: true })));
    const winner = expectOneWinner(answers, "username_taken", "username");
    expect(await countUsers("username_normalized", username.toLowerCase())).toBe(1);
    // Either spelling may win; the stored username is the winner's, as sent.
    expect([username, username.toUpperCase()]).toContain(winner.username);
  });

  it(`lets exactly one of ${RACERS} creates with one phone number win`, async () => {
    const phone = uniquePhone();
    const answers = await race(Array.from({ length: RACERS }, () => ({ phone_number: phone, skip_password_check: true })));
    const winner = expectOneWinner(answers, "phone_number_taken", "phone_number");
    const owners = await server.db.selectFrom("user_phones").select("user_id").where("phone_number", "=", phone).execute();
    expect(owners).toEqual([{ user_id: winner.id }]);
    expect(winner.primary_phone_number).toBe(phone);
  });

  it(`lets exactly one of ${RACERS} different users add one email`, async () => {
    const email = uniqueEmail("added");
    const users = await race(Array.from({ length: RACERS }, () => ({ username: uniqueUsername("adder"), skip_password_check: true })));
    expect(users.every((answer) => answer.status === 200)).toBe(true);
    const answers = await Promise.all(users.map((user) => call("POST", `/users/${user.body.id}/emails`, { email, verified: true })));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const loser of answers.filter((answer) => answer.status !== 200)) {
      expect(loser.status).toBe(409);
      expect(loser.body.code).toBe("email_taken");
      expect(loser.body.details).toEqual({ email: expect.any(String) });
    }
    const owners = await server.db.selectFrom("user_emails").select("user_id").where("email_normalized", "=", email).execute();
    expect(owners).toHaveLength(1);
  });

  it("leaves exactly one primary email after concurrent make-primary calls", async () => {
    const created = await call("POST", "/users", { email_address: uniqueEmail("prim"), skip_password_check: true });
    const userId = created.body.id;
    const emailIds: string[] = [(await call("GET", `/users/${userId}/details`)).body.primary_email_address_id];
    for (let i = 0; i < 9; i++) {
      const added = await call("POST", `/users/${userId}/emails`, { email: uniqueEmail(`prim${i}`), verified: true });
      expect(added.status).toBe(200);
      emailIds.push(added.body.id);
    }
    // Every email is asked to become primary several times, all at once.
    const requests = Array.from({ length: 50 }, (_, i) => emailIds[i % emailIds.length]!);
    const answers = await Promise.all(requests.map((emailId) => call("POST", `/users/${userId}/emails/${emailId}/make-primary`)));
    for (const answer of answers) {
      // A request that lost a race for the primary slot may be told to retry; nothing else.
      expect([200, 409], JSON.stringify(answer.body)).toContain(answer.status);
      if (answer.status === 409) expect(answer.body.code).toBe("concurrent_primary_change");
    }
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    await expectOnePrimary(userId, "email");
  });

  it("leaves exactly one primary phone after concurrent make-primary and update calls", async () => {
    const created = await call("POST", "/users", { phone_number: uniquePhone(), skip_password_check: true });
    const userId = created.body.id;
    const phoneIds = [(await call("GET", `/users/${userId}/details`)).body.primary_phone_number_id];
    for (let i = 0; i < 5; i++) {
      const added = await call("POST", `/users/${userId}/phones`, { phone_number: uniquePhone(), verified: true });
      expect(added.status).toBe(200);
      phoneIds.push(added.body.id);
    }
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const phoneId = phoneIds[i % phoneIds.length]!;
        return i % 2
          ? call("POST", `/users/${userId}/phones/${phoneId}/make-primary`)
          : call("PATCH", `/users/${userId}/phones/${phoneId}`, { is_primary: true });
      }),
    );
    for (const answer of answers) {
      expect([200, 409], JSON.stringify(answer.body)).toContain(answer.status);
      if (answer.status === 409) expect(answer.body.code).toBe("concurrent_primary_change");
    }
    await expectOnePrimary(userId, "phone");
  });

  it("keeps a user consistent when it is deleted while identifiers are being added", async () => {
    const created = await call("POST", "/users", { email_address: uniqueEmail("del"), skip_password_check: true });
    const userId = created.body.id;
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, () => call("POST", `/users/${userId}/emails`, { email: uniqueEmail("late"), verified: true })),
      call("DELETE", `/users/${userId}`),
      ...Array.from({ length: 10 }, () => call("POST", `/users/${userId}/phones`, { phone_number: uniquePhone(), verified: true })),
    ]);
    for (const answer of answers) expect([200, 404], JSON.stringify(answer.body)).toContain(answer.status);
    expect((await call("GET", `/users/${userId}/details`)).status).toBe(404);
    // Nothing outlived its user.
    expect(await server.db.selectFrom("user_emails").select("id").where("user_id", "=", userId).execute()).toEqual([]);
    expect(await server.db.selectFrom("user_phones").select("id").where("user_id", "=", userId).execute()).toEqual([]);
  });

  async function expectOnePrimary(userId: string, kind: "email" | "phone") {
    const details = (await call("GET", `/users/${userId}/details`)).body;
    const items: Array<{ id: string; is_primary: boolean; email?: string; phone_number?: string }> =
      kind === "email" ? details.email_addresses : details.phone_numbers;
    const primaries = items.filter((item) => item.is_primary);
    expect(primaries).toHaveLength(1);
    const primary = primaries[0]!;
    if (kind === "email") {
      expect(details.primary_email_address_id).toBe(primary.id);
      expect(details.primary_email_address).toBe(primary.email);
    } else {
      expect(details.primary_phone_number_id).toBe(primary.id);
      expect(details.primary_phone_number).toBe(primary.phone_number);
    }
    // The list row (users table) agrees with the identifier rows too.
    const listed = (await call("GET", `/users?user_id=${userId}`)).body.data[0];
    expect(kind === "email" ? listed.primary_email_address : listed.primary_phone_number).toBe(kind === "email" ? primary.email : primary.phone_number);
  }
});
