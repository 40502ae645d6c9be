import bcrypt from "bcryptjs";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, uniquePhone, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { getDetails } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { fastWebhookConfig, startReceiver, type ReceivedWebhook, type Receiver } from "../helpers/webhook-receiver.js";

const SUBSCRIBED = ["user.created", "user.updated", "email.created", "email.updated", "phone.created", "phone.updated", "social_connection.created"];
const PASSWORD = "imported password 2";
const DIGEST = bcrypt.hashSync(PASSWORD, 4);
const TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const uniqueExternalId = (label: string) => `${label}|${Math.random().toString(36).slice(2, 12)}`;

/**
 * POST /users/import sends webhook events only when asked (emit_events), in the batch's
 * transaction, to a real receiver; every call that writes leaves one `user.import` audit entry.
 */
describe.each(DIALECTS)("import events and audit on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let receiver: Receiver;
  let secret: string;

  beforeAll(async () => {
    server = await startServer(dialect, { config: fastWebhookConfig });
    call = apiClient(server.baseUrl, server.apiKey);
    receiver = await startReceiver();
    const app = await call("POST", "/webhooks/apps", { app_slug: "sync", name: "Sync" });
    secret = app.body.signing_secret;
    const endpoint = await call("POST", "/webhooks/apps/sync/endpoints", {
      url: receiver.url,
      subscriptions: SUBSCRIBED.map((event_name) => ({ event_name })),
    });
    expect(endpoint.status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  const importUsers = (body: unknown) => call("POST", "/users/import", body);

  /** The first event of `type` whose data satisfies `match`, its signature checked. */
  async function eventOf(type: string, match: (data: any) => boolean): Promise<any> {
    const isIt = (webhook: ReceivedWebhook) => webhook.json?.type === type && match(webhook.json.data);
    const webhook = (await receiver.waitFor((received) => received.some(isIt))).find(isIt)!;
    return (new Webhook(secret).verify(webhook.body, webhook.headers as Record<string, string>) as any).data;
  }
  /** Every event queued in the outbox that mentions `userId`, whoever it was for. */
  const queuedEventsAbout = async (userId: string) =>
    (await server.db.selectFrom("webhook_events").select(["event_type", "payload"]).where("deployment_id", "=", server.deploymentId).execute())
      .filter((row) => row.payload.includes(userId))
      .map((row) => row.event_type);
  const importAudits = async () => (await call("GET", "/audit-logs?action=user.import&limit=100")).body.data;

  it("sends nothing without emit_events, and user.created with the details document with it; no secret in any payload", async () => {
    const quiet = await importUsers({ users: [{ email_address: uniqueEmail("quiet"), password_digest: DIGEST, totp_secret: TOTP_SECRET }] });
    expect(quiet.body).toMatchObject({ created: 1 });
    const quietId = quiet.body.results[0].user_id;
    const explicit = await importUsers({ emit_events: false, users: [{ email_address: uniqueEmail("quiet2") }] });
    const explicitId = explicit.body.results[0].user_id;

    const email = uniqueEmail("loud");
    const phone = uniquePhone();
    const loud = await importUsers({
      emit_events: true,
      users: [
        {
          external_id: uniqueExternalId("loud"),
          email_addresses: [{ email, verified: true }],
          phone_numbers: [{ phone_number: phone, verified: true }],
          password_digest: DIGEST,
          totp_secret: TOTP_SECRET,
          social_connections: [{ provider: "github", provider_user_id: `gh-${Math.random()}`, email_address: email }],
        },
        { email_address: "not an email" },
      ],
    });
    expect(loud.body).toMatchObject({ created: 1, failed: 1 });
    const loudId = loud.body.results[0].user_id;
    const created = await eventOf("user.created", (data) => data.id === loudId);
    expect(created).toEqual(await getDetails(call, loudId));
    expect(created).toMatchObject({ primary_email_address: email, primary_phone_number: phone, totp_enabled: true, has_password: true });
    // As POST /users: one user.created, the identifiers inside it.
    expect(await queuedEventsAbout(loudId)).toEqual(["user.created"]);

    // Delivered in order of the outbox: by the time the loud user's event arrived, the quiet ones would have too.
    expect(await queuedEventsAbout(quietId)).toEqual([]);
    expect(await queuedEventsAbout(explicitId)).toEqual([]);
    const bodies = receiver.received.map((webhook) => webhook.body).join("\n");
    expect(bodies).not.toContain(TOTP_SECRET);
    expect(bodies).not.toContain(DIGEST);
    expect(bodies).not.toContain(quietId);
  });

  it("an update with emit_events sends the events of what it added or verified, then user.updated", async () => {
    const externalId = uniqueExternalId("upd");
    const stored = uniqueEmail("stored");
    const first = await importUsers({
      users: [{ external_id: externalId, email_addresses: [{ email: stored, verified: false }], username: `u${Date.now()}` }],
    });
    const userId = first.body.results[0].user_id;
    expect(await queuedEventsAbout(userId)).toEqual([]);

    const added = uniqueEmail("added");
    const phone = uniquePhone();
    const providerUserId = `gh-${Math.random()}`;
    const updated = await importUsers({
      emit_events: true,
      on_conflict: "update",
      users: [
        {
          external_id: externalId,
          first_name: "Updated",
          email_addresses: [
            { email: stored, verified: true },
            { email: added, verified: false },
          ],
          phone_numbers: [{ phone_number: phone, verified: true }],
          social_connections: [{ provider: "github", provider_user_id: providerUserId }],
        },
      ],
    });
    expect(updated.body).toMatchObject({ updated: 1 });
    const userUpdated = await eventOf("user.updated", (data) => data.id === userId);
    const details = await getDetails(call, userId);
    expect(userUpdated).toEqual(details);
    const emailOf = (address: string) => details.email_addresses.find((entry: any) => entry.email === address);
    expect(await eventOf("email.updated", (data) => data.id === emailOf(stored).id)).toEqual(emailOf(stored));
    expect(emailOf(stored)).toMatchObject({ verified: true, is_primary: true });
    expect(await eventOf("email.created", (data) => data.id === emailOf(added).id)).toEqual(emailOf(added));
    expect(await eventOf("phone.created", (data) => data.phone_number === phone)).toEqual(details.phone_numbers[0]);
    expect(await eventOf("social_connection.created", (data) => data.provider_user_id === providerUserId)).toEqual(details.social_connections[0]);
    expect((await queuedEventsAbout(userId)).sort()).toEqual(["email.created", "email.updated", "phone.created", "social_connection.created", "user.updated"]);

    // A skip writes nothing, so it sends nothing even when asked.
    const skipped = await importUsers({ emit_events: true, users: [{ external_id: externalId, email_address: stored }] });
    expect(skipped.body).toMatchObject({ skipped: 1 });
    expect((await queuedEventsAbout(userId)).length).toBe(5);
  });

  it("each call that writes appends one user.import entry: the fields the items carried, never their values", async () => {
    const before = (await importAudits()).length;
    const email = uniqueEmail("audited");
    const response = await importUsers({
      users: [
        { email_address: email, password_digest: DIGEST, private_metadata: { secret_note: "classified" }, totp_secret: TOTP_SECRET },
        { email_address: uniqueEmail("audited2"), first_name: "Two" },
        { email_address: "broken" },
      ],
    });
    expect(response.body).toMatchObject({ created: 2, failed: 1 });
    const entries = await importAudits();
    expect(entries.length).toBe(before + 1);
    expect(entries[0]).toMatchObject({
      action: "user.import",
      actor: { type: "api_key", id: expect.any(String) },
      target: { type: "deployment", id: server.deploymentId },
      changes: ["email_address", "first_name", "password_digest", "private_metadata", "totp_secret"],
      request_id: expect.any(String),
    });
    const text = JSON.stringify(entries[0]);
    for (const value of [email, DIGEST, "classified", TOTP_SECRET]) expect(text).not.toContain(value);

    // Nothing written (a dry run, a re-run that skips, all failed): no entry.
    await importUsers({ dry_run: true, users: [{ email_address: uniqueEmail("dry") }] });
    await importUsers({ users: [{ email_address: email }] });
    await importUsers({ users: [{ email_address: "broken" }] });
    expect((await importAudits()).length).toBe(before + 1);
  });
});
