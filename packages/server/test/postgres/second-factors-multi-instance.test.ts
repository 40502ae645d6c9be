import { afterEach, describe, expect, it, vi } from "vitest";
import { uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { useTwoInstances } from "../helpers/use-server.js";
import { GOOD_PASSWORD, createUser } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { enrolTotp, freezeClockMidStep, issueBackupCodes, totpAt } from "../helpers/second-factors.js";
import type { TestServer } from "../helpers/start-server.js";

describe.runIf(DIALECTS.includes("postgres"))("second factors on two instances sharing one Postgres database", () => {
  const { first, second } = useTwoInstances();
  const viaFirst = first.call;
  const viaSecond = second.call;
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a TOTP code used on one instance is refused on the other, also when both race", async () => {
    const user = await createUser(viaFirst);
    const secret = await enrolTotp(viaFirst, user.id);
    const now = freezeClockMidStep();
    const code = totpAt(secret, now);
    expect((await viaFirst("POST", `/users/${user.id}/verify-totp`, { code })).status).toBe(200);
    expect((await viaSecond("POST", `/users/${user.id}/verify-totp`, { code })).status).toBe(422);

    const next = totpAt(secret, now + 30_000);
    const raced = await Promise.all([viaFirst, viaSecond, viaFirst, viaSecond].map((via) => via("POST", `/users/${user.id}/verify-totp`, { code: next })));
    expect(raced.map((answer) => answer.status).sort()).toEqual([200, 422, 422, 422]);
  });

  it("a TOTP code that finished a sign-in on one instance does not finish one on the other", async () => {
    const email = uniqueEmail("multi-mfa");
    const user = await createUser(viaFirst, { email_address: email });
    const secret = await enrolTotp(viaFirst, user.id);
    const now = freezeClockMidStep();
    const code = totpAt(secret, now);
    const finish = (server: TestServer, signInId: string) =>
      fetch(`${server.baseUrl}/sign-in/second-factor`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sign_in_id: signInId, strategy: "totp", code }),
      }).then(async (response) => ({ status: response.status, body: await response.json() }));
    const onFirst = await frontendClient(first.baseUrl).signIn(email, GOOD_PASSWORD);
    const onSecond = await frontendClient(second.baseUrl).signIn(email, GOOD_PASSWORD);
    expect((await finish(first, onFirst.body.sign_in_id)).status).toBe(200);
    const refused = await finish(second, onSecond.body.sign_in_id);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe("second_factor_incorrect");
    // A pending sign-in started on one instance finishes on the other.
    const later = await fetch(`${first.baseUrl}/sign-in/second-factor`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sign_in_id: onSecond.body.sign_in_id, strategy: "totp", code: totpAt(secret, now + 30_000) }),
    });
    expect(later.status).toBe(200);
  });

  it("a backup code used on one instance is refused on the other", async () => {
    const user = await createUser(viaFirst);
    const [code] = await issueBackupCodes(viaFirst, user.id);
    const raced = await Promise.all([viaFirst, viaSecond].map((via) => via("POST", `/users/${user.id}/verify-totp`, { code })));
    expect(raced.map((answer) => answer.status).sort()).toEqual([200, 422]);
    expect((await viaSecond("POST", `/users/${user.id}/verify-totp`, { code })).status).toBe(422);
  });
});
