import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { GOOD_PASSWORD, createUser, getDetails } from "../helpers/fixtures.js";
import { frontendClient, sessionCookieOf, type FrontendClient } from "../helpers/frontend.js";
import { enrolTotp, freezeClockMidStep, issueBackupCodes, totpAt } from "../helpers/second-factors.js";
import { useServer } from "../helpers/use-server.js";

const MAX_FAILURES = 4;

describe.each(DIALECTS)("two-step sign-in on %s", (dialect) => {
  const server = useServer(dialect, { config: { signInMaxFailures: MAX_FAILURES } });
  const call = server.call;
  let frontend: FrontendClient;
  beforeAll(() => {
    frontend = frontendClient(server.baseUrl);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const secondFactor = (body: Record<string, unknown>) =>
    fetch(`${server.baseUrl}/sign-in/second-factor`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(
      async (response) => ({ status: response.status, headers: response.headers, body: await response.json() }),
    );
  const methodsOf = async (userId: string) => (await call("GET", `/users/${userId}/sessions`)).body.data.map((session: any) => session.sign_in_method);

  async function passwordStep(email: string) {
    const first = await frontend.signIn(email, GOOD_PASSWORD);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    return first;
  }

  it("a user with TOTP gets needs_second_factor and no cookie; the code finishes with the one-step answer", async () => {
    const email = uniqueEmail("two-step");
    const user = await createUser(call, { email_address: email });
    const secret = await enrolTotp(call, user.id);
    const first = await passwordStep(email);
    expect(first.body).toEqual({ status: "needs_second_factor", sign_in_id: expect.stringMatching(/^sia_[0-9a-z]{32}$/), supported_second_factors: ["totp"] });
    expect(sessionCookieOf(first.headers)).toBeNull();
    expect(await methodsOf(user.id)).toEqual([]);

    const done = await secondFactor({ sign_in_id: first.body.sign_in_id, strategy: "totp", code: totpAt(secret, Date.now()) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toEqual({
      status: "complete",
      session_id: expect.stringMatching(/^ses_/),
      user_id: user.id,
      token: expect.any(String),
      expires: expect.any(Number),
    });
    expect(sessionCookieOf(done.headers)).toBe(done.body.token);
    expect((await frontend.sessionToken({ cookie: done.body.token })).status).toBe(200);
    expect(await methodsOf(user.id)).toEqual(["password+totp"]);
    // Only the hash of the sign-in id was stored, and the attempt is gone once used.
    expect(await server.db.selectFrom("pending_sign_ins").selectAll().where("user_id", "=", user.id).execute()).toEqual([]);
  });

  it("a pending sign-in works once, and a used TOTP code does not finish another one", async () => {
    const email = uniqueEmail("once");
    const user = await createUser(call, { email_address: email });
    const secret = await enrolTotp(call, user.id);
    const now = freezeClockMidStep();
    const first = await passwordStep(email);
    const rows = await server.db.selectFrom("pending_sign_ins").selectAll().where("user_id", "=", user.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).not.toContain(first.body.sign_in_id);
    const code = totpAt(secret, now);
    expect((await secondFactor({ sign_in_id: first.body.sign_in_id, strategy: "totp", code })).status).toBe(200);
    expectEnvelope(
      await secondFactor({ sign_in_id: first.body.sign_in_id, strategy: "totp", code: totpAt(secret, now + 30_000) }),
      401,
      "sign_in_attempt_invalid",
    );
    const again = await passwordStep(email);
    expectEnvelope(await secondFactor({ sign_in_id: again.body.sign_in_id, strategy: "totp", code }), 401, "second_factor_incorrect");
    // The wrong code left the attempt open: the next step's code finishes it.
    expect((await secondFactor({ sign_in_id: again.body.sign_in_id, strategy: "totp", code: totpAt(secret, now + 30_000) })).status).toBe(200);
  });

  it("a pending sign-in expires after 10 minutes", async () => {
    const email = uniqueEmail("expiry");
    const user = await createUser(call, { email_address: email });
    const secret = await enrolTotp(call, user.id);
    const now = freezeClockMidStep();
    const first = await passwordStep(email);
    vi.setSystemTime(now + 10 * 60 * 1000);
    expectEnvelope(
      await secondFactor({ sign_in_id: first.body.sign_in_id, strategy: "totp", code: totpAt(secret, Date.now()) }),
      401,
      "sign_in_attempt_invalid",
    );
    expectEnvelope(await secondFactor({ sign_in_id: "sia_0000000000000000000000000000000", strategy: "totp", code: "123456" }), 401, "sign_in_attempt_invalid");
  });

  it("backup codes finish a sign-in once each, recorded as password+backup_code", async () => {
    const email = uniqueEmail("backup");
    const user = await createUser(call, { email_address: email });
    await enrolTotp(call, user.id);
    const codes = await issueBackupCodes(call, user.id);
    const first = await passwordStep(email);
    expect(first.body.supported_second_factors).toEqual(["totp", "backup_code"]);
    expect((await secondFactor({ sign_in_id: first.body.sign_in_id, strategy: "backup_code", code: codes[0] })).status).toBe(200);
    const second = await passwordStep(email);
    expectEnvelope(await secondFactor({ sign_in_id: second.body.sign_in_id, strategy: "backup_code", code: codes[0] }), 401, "second_factor_incorrect");
    // A backup code is not a TOTP code, whatever strategy says.
    expectEnvelope(await secondFactor({ sign_in_id: second.body.sign_in_id, strategy: "totp", code: codes[1] }), 401, "second_factor_incorrect");
    expect((await secondFactor({ sign_in_id: second.body.sign_in_id, strategy: "backup_code", code: codes[1] })).status).toBe(200);
    expect(await methodsOf(user.id)).toEqual(["password+backup_code", "password+backup_code"]);
  });

  it("a user with backup codes only is asked for one; a user without second factors signs in in one step", async () => {
    const email = uniqueEmail("codes-only");
    const user = await createUser(call, { email_address: email });
    await issueBackupCodes(call, user.id);
    expect((await passwordStep(email)).body.supported_second_factors).toEqual(["backup_code"]);
    const plainEmail = uniqueEmail("plain");
    const plain = await createUser(call, { email_address: plainEmail });
    const done = await passwordStep(plainEmail);
    expect(done.body.status).toBe("complete");
    expect(await methodsOf(plain.id)).toEqual(["password"]);
  });

  it("wrong codes lock the account after as many tries as wrong passwords; the right password does not reset the count", async () => {
    const email = uniqueEmail("lockout");
    const user = await createUser(call, { email_address: email });
    const secret = await enrolTotp(call, user.id);
    const first = await passwordStep(email);
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      expectEnvelope(await secondFactor({ sign_in_id: first.body.sign_in_id, strategy: "totp", code: "000000" }), 401, "second_factor_incorrect");
    }
    const second = await passwordStep(email);
    expectEnvelope(await secondFactor({ sign_in_id: second.body.sign_in_id, strategy: "totp", code: "000000" }), 401, "second_factor_incorrect");
    expect((await getDetails(call, user.id)).locked).toBe(true);
    // Locked: even the right code is refused, and so is the password.
    expectEnvelope(await secondFactor({ sign_in_id: second.body.sign_in_id, strategy: "totp", code: totpAt(secret, Date.now()) }), 403, "user_locked");
    // The account is locked against addresses that never signed in to it: the same 401 as any refusal (docs/security.md).
    expectEnvelope(await frontend.signIn(email, GOOD_PASSWORD), 401, "invalid_credentials");
  });

  it("second_factor_policy enforced without a second factor: refused after the right password only", async () => {
    const email = uniqueEmail("enforced");
    const user = await createUser(call, { email_address: email });
    expect((await call("PATCH", `/users/${user.id}`, { second_factor_policy: "enforced" })).status).toBe(200);
    expectEnvelope(await frontend.signIn(email, "wrong password"), 401, "invalid_credentials");
    expectEnvelope(await frontend.signIn(email, GOOD_PASSWORD), 403, "second_factor_enrollment_required");
    expect(await methodsOf(user.id)).toEqual([]);
    // Once an admin enrols one, the two-step sign-in works.
    const secret = await enrolTotp(call, user.id);
    const first = await passwordStep(email);
    expect(first.body.status).toBe("needs_second_factor");
    expect((await secondFactor({ sign_in_id: first.body.sign_in_id, strategy: "totp", code: totpAt(secret, Date.now()) })).status).toBe(200);
  });

  it("a user disabled between the steps is refused", async () => {
    const email = uniqueEmail("disabled");
    const user = await createUser(call, { email_address: email });
    const secret = await enrolTotp(call, user.id);
    const first = await passwordStep(email);
    await call("PATCH", `/users/${user.id}`, { disabled: true });
    expectEnvelope(await secondFactor({ sign_in_id: first.body.sign_in_id, strategy: "totp", code: totpAt(secret, Date.now()) }), 403, "user_disabled");
  });

  it("a password changed between the steps ends the pending sign-in", async () => {
    const email = uniqueEmail("changed");
    const user = await createUser(call, { email_address: email });
    const secret = await enrolTotp(call, user.id);
    const first = await passwordStep(email);
    expect((await call("PATCH", `/users/${user.id}/password`, { new_password: `${GOOD_PASSWORD} changed` })).status).toBe(200);
    expectEnvelope(
      await secondFactor({ sign_in_id: first.body.sign_in_id, strategy: "totp", code: totpAt(secret, Date.now()) }),
      401,
      "sign_in_attempt_invalid",
    );
    expect(await methodsOf(user.id)).toEqual([]);
  });

  it("refuses bodies that break the schema with 400", async () => {
    expectEnvelope(await secondFactor({ sign_in_id: "sia_x", strategy: "sms", code: "123456" }), 400);
    expectEnvelope(await secondFactor({ sign_in_id: "sia_x", strategy: "totp" }), 400);
  });
});
