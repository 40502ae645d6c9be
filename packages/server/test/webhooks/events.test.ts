import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, uniquePhone, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser, getDetails } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { fastWebhookConfig, startReceiver, type ReceivedWebhook, type Receiver } from "../helpers/webhook-receiver.js";

const BUILT_IN = [
  "user.created",
  "user.updated",
  "user.deleted",
  "email.created",
  "email.updated",
  "email.deleted",
  "phone.created",
  "phone.updated",
  "phone.deleted",
  "session.created",
  "session.revoked",
  "password.updated",
  "social_connection.created",
  "social_connection.deleted",
];

/**
 * Every kind of change reaches a subscribed endpoint as a signed event whose `data` is exactly
 * what the Backend API answers for that resource; a change that rolls back sends nothing.
 */
describe.each(DIALECTS)("events of Backend API changes on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let receiver: Receiver;
  let secret: string;

  /** The first event of `type` whose data satisfies `match`, once it arrives, its signature checked. */
  async function eventOf(type: string, match: (data: any) => boolean): Promise<any> {
    const isIt = (webhook: ReceivedWebhook) => webhook.json?.type === type && match(webhook.json.data);
    const all = await receiver.waitFor((received) => received.some(isIt));
    const webhook = all.find(isIt)!;
    const verified = new Webhook(secret).verify(webhook.body, webhook.headers as Record<string, string>) as any;
    expect(verified).toEqual({ type, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), deployment_id: server.deploymentId, data: expect.anything() });
    return verified.data;
  }
  const eventsOf = (type: string, match: (data: any) => boolean) =>
    receiver.received.filter((webhook) => webhook.json?.type === type && match(webhook.json.data));

  beforeAll(async () => {
    server = await startServer(dialect, { config: fastWebhookConfig });
    call = apiClient(server.baseUrl, server.apiKey);
    receiver = await startReceiver();
    const app = await call("POST", "/webhooks/apps", { app_slug: "sync", name: "Sync" });
    secret = app.body.signing_secret;
    const endpoint = await call("POST", "/webhooks/apps/sync/endpoints", { url: receiver.url, subscriptions: BUILT_IN.map((event_name) => ({ event_name })) });
    expect(endpoint.status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it("user.created, user.updated and user.deleted carry the user's details document, then {id, deleted}", async () => {
    const user = await createUser(call, { public_metadata: { plan: "pro" }, private_metadata: { note: "vip" } });
    expect(await eventOf("user.created", (data) => data.id === user.id)).toEqual(await getDetails(call, user.id));

    const updated = await call("PATCH", `/users/${user.id}`, { first_name: "Renamed", public_metadata: { plan: "team" } });
    expect(updated.status).toBe(200);
    expect(await eventOf("user.updated", (data) => data.id === user.id && data.first_name === "Renamed")).toEqual(updated.body);

    expect((await call("DELETE", `/users/${user.id}`)).status).toBe(200);
    expect(await eventOf("user.deleted", (data) => data.id === user.id)).toEqual({ id: user.id, deleted: true });
    const payloads = JSON.stringify(receiver.received.filter((w) => w.body.includes(user.id)).map((w) => w.json));
    expect(payloads).not.toContain("$argon2");
    expect(payloads).not.toContain(GOOD_PASSWORD);
  });

  it("email events carry the email as the API answers it; make-primary and delete too", async () => {
    const user = await createUser(call);
    const added = await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail("second"), verified: true });
    expect(added.status).toBe(200);
    expect(await eventOf("email.created", (data) => data.id === added.body.id)).toEqual(added.body);

    const changed = await call("PATCH", `/users/${user.id}/emails/${added.body.id}`, { verified: false });
    expect(await eventOf("email.updated", (data) => data.id === added.body.id && data.verified === false)).toEqual(changed.body);
    await call("PATCH", `/users/${user.id}/emails/${added.body.id}`, { verified: true });

    expect((await call("POST", `/users/${user.id}/emails/${added.body.id}/make-primary`)).status).toBe(200);
    const details = await getDetails(call, user.id);
    const promoted = details.email_addresses.find((email: any) => email.id === added.body.id);
    expect(await eventOf("email.updated", (data) => data.id === added.body.id && data.is_primary === true)).toEqual(promoted);

    const old = details.email_addresses.find((email: any) => email.id !== added.body.id);
    expect((await call("DELETE", `/users/${user.id}/emails/${old.id}`)).status).toBe(200);
    expect(await eventOf("email.deleted", (data) => data.id === old.id)).toEqual({ id: old.id, deleted: true });
  });

  it("phone events carry the phone as the API answers it", async () => {
    const user = await createUser(call);
    const added = await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone(), country_code: "US", verified: true });
    expect(added.status).toBe(200);
    expect(await eventOf("phone.created", (data) => data.id === added.body.id)).toEqual(added.body);
    const changed = await call("PATCH", `/users/${user.id}/phones/${added.body.id}`, { is_primary: true });
    expect(await eventOf("phone.updated", (data) => data.id === added.body.id && data.is_primary === true)).toEqual(changed.body);
    expect((await call("DELETE", `/users/${user.id}/phones/${added.body.id}`)).status).toBe(200);
    expect(await eventOf("phone.deleted", (data) => data.id === added.body.id)).toEqual({ id: added.body.id, deleted: true });
  });

  it("password.updated carries the user's details (has_password), never the password or its hash", async () => {
    const user = await createUser(call);
    const newPassword = "an entirely different passphrase 7";
    expect((await call("PATCH", `/users/${user.id}/password`, { new_password: newPassword })).status).toBe(200);
    const afterUpdate = await eventOf("password.updated", (data) => data.id === user.id && data.last_password_reset_at !== null);
    expect(afterUpdate).toEqual(await getDetails(call, user.id));
    expect((await call("DELETE", `/users/${user.id}/password`)).status).toBe(200);
    expect(await eventOf("password.updated", (data) => data.id === user.id && data.has_password === false)).toEqual(await getDetails(call, user.id));
    const bodies = receiver.received
      .filter((w) => w.body.includes(user.id))
      .map((w) => w.body)
      .join("\n");
    expect(bodies).not.toContain(newPassword);
    expect(bodies).not.toContain("$argon2");
  });

  it("social_connection.created and .deleted", async () => {
    const user = await createUser(call);
    const linked = await call("POST", `/users/${user.id}/social-connections`, { provider: "github_oauth", provider_user_id: `gh-${user.id}` });
    expect(linked.status).toBe(200);
    expect(await eventOf("social_connection.created", (data) => data.id === linked.body.id)).toEqual(linked.body);
    expect((await call("DELETE", `/users/${user.id}/social-connections/${linked.body.id}`)).status).toBe(200);
    expect(await eventOf("social_connection.deleted", (data) => data.id === linked.body.id)).toEqual({ id: linked.body.id, deleted: true });
  });

  it("session.created at sign-in and session.revoked for revoke, revoke-all and sign-out, as the sessions list shows them", async () => {
    const user = await createUser(call);
    const frontend = frontendClient(server.baseUrl);
    const sessionIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const signedIn = await frontend.signIn(user.primary_email_address, GOOD_PASSWORD);
      expect(signedIn.status).toBe(200);
      sessionIds.push(signedIn.body.session_id);
    }
    const listed = (await call("GET", `/users/${user.id}/sessions`)).body.data;
    for (const sessionId of sessionIds) {
      const created = await eventOf("session.created", (data) => data.id === sessionId);
      expect(created).toEqual({ ...listed.find((s: any) => s.id === sessionId), last_active_at: created.last_active_at, updated_at: created.updated_at });
    }

    expect((await call("POST", `/users/${user.id}/sessions/${sessionIds[0]}/revoke`)).status).toBe(200);
    const revoked = await eventOf("session.revoked", (data) => data.id === sessionIds[0]);
    expect(revoked).toMatchObject({ id: sessionIds[0], user_id: user.id });
    expect((await call("POST", `/users/${user.id}/sessions/revoke-all`)).body).toEqual({ revoked: 2 });
    for (const sessionId of sessionIds.slice(1)) await eventOf("session.revoked", (data) => data.id === sessionId);
    expect(eventsOf("session.revoked", (data) => data.user_id === user.id)).toHaveLength(3);
  });

  it("unlock sends user.updated", async () => {
    const user = await createUser(call);
    expect((await call("POST", `/users/${user.id}/unlock`)).status).toBe(200);
    expect(await eventOf("user.updated", (data) => data.id === user.id)).toEqual(await getDetails(call, user.id));
  });

  it("a write that fails and rolls back sends no event", async () => {
    const taken = await createUser(call);
    const refused = await call("POST", "/users", { first_name: "Dup", email_address: taken.primary_email_address, skip_password_check: true });
    expect(refused.status).toBe(409);
    const clash = await createUser(call, { username: `taken_${Date.now()}` });
    const updateRefused = await call("PATCH", `/users/${taken.id}`, { first_name: "Never", username: clash.username });
    expect(updateRefused.status).toBe(409);
    // A later change's event arriving means the dispatcher has passed the failed ones: none were written.
    const marker = await createUser(call, { first_name: "Marker" });
    await eventOf("user.created", (data) => data.id === marker.id);
    expect(receiver.received.filter((w) => w.body.includes('"Dup"') || w.body.includes('"Never"'))).toEqual([]);
    const rows = await server.db.selectFrom("webhook_events").select("payload").execute();
    expect(rows.filter((row) => row.payload.includes('"Dup"') || row.payload.includes('"Never"'))).toEqual([]);
    expect(eventsOf("user.updated", (data) => data.id === taken.id)).toEqual([]);
  });
});
