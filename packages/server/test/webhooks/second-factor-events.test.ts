import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_EVENT_TYPES } from "../../src/webhooks/event-types.js";
import { uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser, getDetails } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { enrolTotp, issueBackupCodes, newTotpSecret, totpAt } from "../helpers/second-factors.js";
import { SoftAuthenticator } from "../helpers/soft-authenticator.js";
import { useServer } from "../helpers/use-server.js";
import { fastWebhookConfig, startReceiver, type ReceivedWebhook, type Receiver } from "../helpers/webhook-receiver.js";

/**
 * Second factors changed by an admin (Backend API) are audited and sent as events; changed by the
 * user themself (Frontend API: registering a passkey, using up a code at sign-in) they are sent as
 * events without an audit entry. No payload or audit entry ever holds a secret, a code or a hash.
 */
describe.each(DIALECTS)("second-factor events and audit entries on %s", (dialect) => {
  const server = useServer(dialect, { config: fastWebhookConfig });
  const call = server.call;
  let receiver: Receiver;
  let signingSecret: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    const app = await call("POST", "/webhooks/apps", { app_slug: "factors", name: "Factors" });
    signingSecret = app.body.signing_secret;
    const subscriptions = BUILT_IN_EVENT_TYPES.map((event_name) => ({ event_name }));
    expect((await call("POST", "/webhooks/apps/factors/endpoints", { url: receiver.url, subscriptions })).status).toBe(200);
  });
  afterAll(async () => receiver?.close());

  /** The data of the first event of `type` about `userId`, once it arrives, its signature checked. */
  async function eventOf(type: string, match: (data: any) => boolean): Promise<any> {
    const isIt = (webhook: ReceivedWebhook) => webhook.json?.type === type && match(webhook.json.data);
    const webhook = (await receiver.waitFor((received) => received.some(isIt))).find(isIt)!;
    return (new Webhook(signingSecret).verify(webhook.body, webhook.headers as Record<string, string>) as any).data;
  }

  /** The event types committed to the outbox naming one of `ids` (deterministic: written with the change), sorted (one change's events share a millisecond). */
  async function outboxTypesOf(...ids: string[]): Promise<string[]> {
    const rows = await server.db
      .selectFrom("webhook_events")
      .select("event_type")
      .where("deployment_id", "=", server.deploymentId)
      .where((eb) => eb.or(ids.map((id) => eb("payload", "like", `%${id}%`))))
      .execute();
    return rows.map((row) => row.event_type).sort();
  }

  const auditOf = async (userId: string) => (await call("GET", `/audit-logs?user_id=${userId}&limit=100`)).body.data as any[];

  /** Everything a receiver or an auditor was ever shown about this user. */
  async function everythingSaidAbout(userId: string): Promise<string> {
    const outbox = await server.db.selectFrom("webhook_events").select("payload").where("payload", "like", `%${userId}%`).execute();
    return JSON.stringify([outbox.map((row) => row.payload), receiver.received.map((webhook) => webhook.body), await auditOf(userId)]);
  }

  it("an admin's authenticator and backup-code changes: audited, with events carrying no secret", async () => {
    const user = await createUser(call);
    const secret = newTotpSecret();
    const enrolled = await call("POST", `/users/${user.id}/authenticators`, { secret, account_name: "Ada's phone" });
    expect(enrolled.status).toBe(200);
    expect(await eventOf("authenticator.created", (data) => data.user_id === user.id)).toEqual({
      id: enrolled.body.id,
      user_id: user.id,
      account_name: "Ada's phone",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const afterEnrol = await getDetails(call, user.id);
    expect(afterEnrol.totp_enabled).toBe(true);
    expect(await eventOf("user.updated", (data) => data.id === user.id && data.totp_enabled)).toEqual(afterEnrol);

    const codes = await issueBackupCodes(call, user.id);
    expect(await eventOf("backup_codes.regenerated", (data) => data.user_id === user.id)).toEqual({
      user_id: user.id,
      count: 12,
      created_at: expect.any(String),
    });
    expect(await eventOf("user.updated", (data) => data.id === user.id && data.has_backup_codes)).toEqual(await getDetails(call, user.id));
    // Codes over codes: has_backup_codes stays true, so the document did not change: no user.updated.
    const newCodes = await issueBackupCodes(call, user.id);

    const byTotp = await call("POST", `/users/${user.id}/verify-totp`, { code: totpAt(secret, Date.now()) });
    expect(byTotp.body).toEqual({ verified: true, code_type: "totp" });
    const byBackupCode = await call("POST", `/users/${user.id}/verify-totp`, { code: newCodes[0] });
    expect(byBackupCode.body).toEqual({ verified: true, code_type: "backup_code" });
    const wrong = await call("POST", `/users/${user.id}/verify-totp`, { code: codes[0] });
    expect(wrong.status).toBe(422);

    expect((await call("DELETE", `/users/${user.id}/authenticators`)).status).toBe(200);
    expect(await eventOf("authenticator.deleted", (data) => data.id === enrolled.body.id)).toEqual({ id: enrolled.body.id, deleted: true });
    const afterDelete = await getDetails(call, user.id);
    expect(await eventOf("user.updated", (data) => data.id === user.id && data.has_backup_codes && !data.totp_enabled)).toEqual(afterDelete);

    expect(await outboxTypesOf(user.id, enrolled.body.id)).toEqual(
      [
        "user.created",
        "authenticator.created",
        "user.updated",
        "backup_codes.regenerated",
        "user.updated",
        "backup_codes.regenerated",
        "user.updated",
        "authenticator.deleted",
      ].sort(),
    );

    const entries = await auditOf(user.id);
    expect(entries.map((entry) => [entry.action, entry.target, entry.changes])).toEqual([
      ["authenticator.delete", { type: "authenticator", id: enrolled.body.id }, []],
      ["backup_code.use", { type: "user", id: user.id }, ["backup_codes"]],
      ["authenticator.use", { type: "authenticator", id: enrolled.body.id }, ["last_used_step"]],
      ["backup_codes.regenerate", { type: "user", id: user.id }, ["backup_codes"]],
      ["backup_codes.regenerate", { type: "user", id: user.id }, ["backup_codes"]],
      ["authenticator.create", { type: "authenticator", id: enrolled.body.id }, ["secret", "account_name"]],
      ["user.create", { type: "user", id: user.id }, expect.any(Array)],
    ]);
    for (const entry of entries) expect(entry.actor).toMatchObject({ type: "api_key", name: "test" });

    const said = await everythingSaidAbout(user.id);
    for (const leaked of [secret, enrolled.body.otp_url, "otpauth://", ...codes, ...newCodes, "$argon2", "secret_sealed", "code_hash"]) {
      expect(said).not.toContain(leaked);
    }
  });

  it("the same code verified twice is one use: the refused second check records nothing", async () => {
    const user = await createUser(call);
    const secret = await enrolTotp(call, user.id);
    const code = totpAt(secret, Date.now());
    expect((await call("POST", `/users/${user.id}/verify-totp`, { code })).status).toBe(200);
    expect((await call("POST", `/users/${user.id}/verify-totp`, { code })).status).toBe(422);
    expect((await auditOf(user.id)).filter((entry) => entry.action === "authenticator.use")).toHaveLength(1);
  });

  it("passkeys: the user's own registration sends events without an audit entry; an admin's rename and delete are audited", async () => {
    const email = uniqueEmail("passkey-events");
    const user = await createUser(call, { email_address: email });
    const signedIn = await frontendClient(server.baseUrl).signIn(email, GOOD_PASSWORD);
    const bearer = { authorization: `Bearer ${signedIn.body.token}` };
    const options = await fetch(`${server.baseUrl}/passkeys/registration/options`, { method: "POST", headers: bearer }).then((r) => r.json());
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    const registered = await fetch(`${server.baseUrl}/passkeys/registration/verify`, {
      method: "POST",
      headers: { ...bearer, "content-type": "application/json" },
      body: JSON.stringify({ response: authenticator.createCredential(options), name: "Laptop" }),
    });
    expect(registered.status).toBe(200);
    const passkey = await registered.json();

    expect(await eventOf("passkey.created", (data) => data.id === passkey.id)).toEqual(passkey);
    expect((await call("GET", `/users/${user.id}/passkeys`)).body.data).toEqual([passkey]);
    const withPasskey = await getDetails(call, user.id);
    expect(withPasskey.passkeys_count).toBe(1);
    expect(await eventOf("user.updated", (data) => data.id === user.id && data.passkeys_count === 1)).toEqual(withPasskey);
    expect((await auditOf(user.id)).map((entry) => entry.action)).toEqual(["user.create"]);

    expect((await call("PATCH", `/users/${user.id}/passkeys/${passkey.id}`, { name: "Work laptop" })).status).toBe(200);
    const renamed = (await call("GET", `/users/${user.id}/passkeys`)).body.data[0];
    expect(await eventOf("passkey.updated", (data) => data.id === passkey.id)).toEqual(renamed);
    expect(renamed.name).toBe("Work laptop");

    expect((await call("DELETE", `/users/${user.id}/passkeys/${passkey.id}`)).status).toBe(200);
    expect(await eventOf("passkey.deleted", (data) => data.id === passkey.id)).toEqual({ id: passkey.id, deleted: true });
    expect(await eventOf("user.updated", (data) => data.id === user.id && data.passkeys_count === 0)).toEqual(await getDetails(call, user.id));

    expect((await auditOf(user.id)).map((entry) => [entry.action, entry.target, entry.changes])).toEqual([
      ["passkey.delete", { type: "passkey", id: passkey.id }, []],
      ["passkey.update", { type: "passkey", id: passkey.id }, ["name"]],
      ["user.create", { type: "user", id: user.id }, expect.any(Array)],
    ]);
    const said = await everythingSaidAbout(user.id);
    const credential = authenticator.credentials[0]!;
    expect(said).not.toContain(credential.credentialId.toString("base64url"));
    expect(said).not.toContain(signedIn.body.token);
  });

  it("the user's last backup code used at sign-in turns has_backup_codes false: a user.updated, no audit entry", async () => {
    const email = uniqueEmail("last-code");
    const user = await createUser(call, { email_address: email });
    const codes = await issueBackupCodes(call, user.id);
    // An admin checks (uses up) all but one: audited, and the document keeps has_backup_codes true.
    for (const code of codes.slice(1)) expect((await call("POST", `/users/${user.id}/verify-totp`, { code })).status).toBe(200);
    expect(await outboxTypesOf(user.id)).toEqual(["backup_codes.regenerated", "user.created", "user.updated"]);

    const first = await frontendClient(server.baseUrl).signIn(email, GOOD_PASSWORD);
    expect(first.body.status).toBe("needs_second_factor");
    const done = await fetch(`${server.baseUrl}/sign-in/second-factor`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sign_in_id: first.body.sign_in_id, strategy: "backup_code", code: codes[0] }),
    });
    expect(done.status).toBe(200);
    const details = await getDetails(call, user.id);
    expect(details.has_backup_codes).toBe(false);
    // The document as it was when the code was used up, a moment before the session opened.
    expect(await eventOf("user.updated", (data) => data.id === user.id && data.has_backup_codes === false)).toEqual({ ...details, last_sign_in_at: null });
    expect(await outboxTypesOf(user.id)).toEqual(["backup_codes.regenerated", "session.created", "user.created", "user.updated", "user.updated"]);

    const uses = (await auditOf(user.id)).filter((entry) => entry.action === "backup_code.use");
    expect(uses).toHaveLength(11);
    const said = await everythingSaidAbout(user.id);
    for (const code of codes) expect(said).not.toContain(code);
  });
});
