import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError, ValidationError, WachtClient, type WachtError } from "wacht-published";
import { apiClient, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { fastWebhookConfig, startReceiver, type Receiver } from "../helpers/webhook-receiver.js";

async function thrown(call: () => Promise<unknown>): Promise<WachtError> {
  try {
    await call();
  } catch (error) {
    return error as WachtError;
  }
  throw new Error("expected the call to fail");
}

let slugCounter = 0;
const uniqueSlug = () => `app-${Date.now().toString(36)}-${slugCounter++}`;

/**
 * The published client's `webhooks` namespace, unchanged, against our server, with real
 * receivers on 127.0.0.1: apps, endpoints, signed deliveries, retries, replay, rotation.
 */
describe.each(DIALECTS)("webhooks on %s", (dialect) => {
  let server: TestServer;
  let client: WachtClient;
  let call: ApiCall;
  const receivers: Receiver[] = [];

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    server = await startServer(dialect, { config: fastWebhookConfig });
    client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
    call = apiClient(server.baseUrl, server.apiKey);
  });

  afterAll(async () => {
    await server?.close();
    for (const started of receivers) await started.close();
  });

  it("manages apps with the published client: create, get, list, update, delete", async () => {
    const slug = uniqueSlug();
    const created = await client.webhooks.createWebhookApp({ app_slug: slug, name: "Billing", description: "sync users" });
    expect(created).toMatchObject({
      app_slug: slug,
      name: "Billing",
      description: "sync users",
      is_active: true,
      deployment_id: server.deploymentId,
      event_catalog_slug: null,
    });
    expect(created.signing_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await client.webhooks.getWebhookApp(slug)).toEqual(created);

    const page = await client.webhooks.listWebhookApps({ limit: 100 });
    expect(page.data.map((app) => app.app_slug)).toContain(slug);
    expect(page.total).toBeGreaterThanOrEqual(1);

    const updated = await client.webhooks.updateWebhookApp(slug, { name: "Billing 2", is_active: false });
    expect(updated).toMatchObject({ name: "Billing 2", is_active: false, signing_secret: created.signing_secret });
    expect((await client.webhooks.listWebhookApps({ limit: 100 })).data.map((app) => app.app_slug)).not.toContain(slug);
    expect((await client.webhooks.listWebhookApps({ limit: 100, include_inactive: true })).data.map((app) => app.app_slug)).toContain(slug);

    const derived = await client.webhooks.createWebhookApp({ name: "My Sync App!" });
    expect(derived.app_slug).toMatch(/^my-sync-app/);

    const taken = await thrown(() => client.webhooks.createWebhookApp({ app_slug: slug, name: "again" }));
    expect(taken.statusCode).toBe(409);

    await client.webhooks.deleteWebhookApp(slug);
    expect(await thrown(() => client.webhooks.getWebhookApp(slug))).toBeInstanceOf(NotFoundError);
  });

  it("manages endpoints and subscriptions, refusing reserved headers and unsupported options", async () => {
    const slug = uniqueSlug();
    await client.webhooks.createWebhookApp({ app_slug: slug, name: "Endpoints" });
    const endpoint = await client.webhooks.createWebhookEndpoint(slug, {
      url: "http://127.0.0.1:9/hook",
      description: "users",
      headers: { "X-Team": "growth" },
      subscriptions: [{ event_name: "user.created" }, { event_name: "user.deleted" }],
      timeout_seconds: 5,
    });
    expect(endpoint).toMatchObject({
      app_slug: slug,
      url: "http://127.0.0.1:9/hook",
      headers: { "X-Team": "growth" },
      is_active: true,
      timeout_seconds: 5,
      max_retries: fastWebhookConfig.webhookRetryScheduleMs.length,
      failure_count: 0,
      auto_disabled: false,
      subscriptions: [
        { event_name: "user.created", filter_rules: null },
        { event_name: "user.deleted", filter_rules: null },
      ],
    });
    const updated = await client.webhooks.updateWebhookEndpoint(slug, endpoint.id, { subscriptions: [{ event_name: "email.created" }], is_active: false });
    expect(updated.subscriptions).toEqual([{ event_name: "email.created", filter_rules: null }]);
    expect(updated.is_active).toBe(false);
    expect((await client.webhooks.listWebhookEndpoints(slug, { include_inactive: true })).data.map((e) => e.id)).toEqual([endpoint.id]);
    expect((await client.webhooks.listWebhookEndpoints(slug, {})).data).toEqual([]);

    for (const header of ["webhook-signature", "Webhook-Id", "content-type", "Host"]) {
      const refused = await thrown(() =>
        client.webhooks.createWebhookEndpoint(slug, { url: "http://127.0.0.1:9/", headers: { [header]: "x" }, subscriptions: [] }),
      );
      expect(refused).toBeInstanceOf(ValidationError);
    }
    const reserved = await call("POST", `/webhooks/apps/${slug}/endpoints`, {
      url: "http://127.0.0.1:9/",
      headers: { "webhook-signature": "v1,forged" },
      subscriptions: [],
    });
    expect(reserved.body.code).toBe("webhook_header_reserved");
    const filters = await call("POST", `/webhooks/apps/${slug}/endpoints`, {
      url: "http://127.0.0.1:9/",
      subscriptions: [{ event_name: "user.created", filter_rules: { a: 1 } }],
    });
    expect([filters.status, filters.body.code]).toEqual([400, "webhook_filter_rules_unsupported"]);
    const scheme = await call("POST", `/webhooks/apps/${slug}/endpoints`, { url: "ftp://127.0.0.1/", subscriptions: [] });
    expect([scheme.status, scheme.body.code]).toEqual([400, "webhook_url_refused"]);

    await client.webhooks.deleteWebhookEndpoint(slug, endpoint.id);
    expect((await client.webhooks.listWebhookEndpoints(slug, { include_inactive: true })).data).toEqual([]);
  });

  it("delivers an app's own event signed per Standard Webhooks, with custom headers, and records the delivery", async () => {
    const hook = await receiver();
    const slug = uniqueSlug();
    const app = await client.webhooks.createWebhookApp({ app_slug: slug, name: "Trigger" });
    const endpoint = await client.webhooks.createWebhookEndpoint(slug, {
      url: hook.url,
      headers: { "X-Team": "growth" },
      subscriptions: [{ event_name: "invoice.paid" }],
    });

    const triggered = await client.webhooks.triggerWebhook(slug, { event_name: "invoice.paid", payload: { invoice: "inv_1", amount: 42 } });
    expect(triggered.delivered_count).toBe(1);
    expect(triggered.delivery_ids).toHaveLength(1);
    const [webhook] = await hook.waitFor((all) => all.length >= 1);

    const verified = new Webhook(app.signing_secret).verify(webhook!.body, webhook!.headers as Record<string, string>);
    expect(verified).toEqual({
      type: "invoice.paid",
      timestamp: expect.any(String),
      deployment_id: server.deploymentId,
      data: { invoice: "inv_1", amount: 42 },
    });
    expect(webhook!.headers["webhook-id"]).toBe(String(triggered.delivery_ids[0]));
    expect(webhook!.headers["x-team"]).toBe("growth");
    expect(webhook!.headers["content-type"]).toBe("application/json");
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(webhook!.body, webhook!.headers as Record<string, string>)).toThrow();

    // Built-in names are Wacht's alone: an app cannot forge a user.deleted.
    const forged = await call("POST", `/webhooks/apps/${slug}/trigger`, { event_name: "user.deleted", payload: { id: "usr_x" } });
    expect([forged.status, forged.body.code]).toEqual([400, "webhook_event_reserved"]);

    const deliveryId = String(triggered.delivery_ids[0]);
    const details = await waitForDelivery(client, slug, deliveryId, (d) => d.status === "succeeded");
    expect(details).toMatchObject({
      delivery_id: deliveryId,
      endpoint_id: endpoint.id,
      event_name: "invoice.paid",
      status: "succeeded",
      http_status_code: 200,
      attempt_number: 1,
      response_body: "ok",
    });
    expect(details.payload).toEqual(JSON.parse(webhook!.body));
    const list = await client.webhooks.listWebhookDeliveries(slug, { event_name: "invoice.paid" });
    expect(list.data.map((d) => d.delivery_id)).toEqual([deliveryId]);
    expect(await client.webhooks.getWebhookStats(slug)).toEqual({ total_deliveries: 1, success_rate: 1, active_endpoints: 1, failed_deliveries_24h: 0 });
  });

  it("retries a failing receiver with the same webhook-id until it recovers, recording every attempt", async () => {
    const hook = await receiver((_request, count) => (count <= 2 ? { status: 503, body: "down for maintenance" } : { status: 204 }));
    const slug = uniqueSlug();
    await client.webhooks.createWebhookApp({ app_slug: slug, name: "Retry" });
    await client.webhooks.createWebhookEndpoint(slug, { url: hook.url, subscriptions: [{ event_name: "order.placed" }] });
    const { delivery_ids } = await client.webhooks.triggerWebhook(slug, { event_name: "order.placed", payload: { order: 1 } });
    const all = await hook.waitFor((received) => received.length >= 3);
    expect(new Set(all.map((r) => r.id))).toEqual(new Set([String(delivery_ids[0])]));
    expect(new Set(all.map((r) => r.body)).size).toBe(1);

    const details = await waitForDelivery(client, slug, String(delivery_ids[0]), (d) => d.status === "succeeded");
    expect(details.attempt_number).toBe(3);
    expect((details as any).attempts.map((a: any) => [a.attempt_number, a.http_status_code, a.success, a.response_body])).toEqual([
      [1, 503, false, "down for maintenance"],
      [2, 503, false, "down for maintenance"],
      [3, 204, true, ""],
    ]);
  });

  it("gives up after max_retries, does not follow redirects, and keeps only the first KiB of an answer", async () => {
    const target = await receiver();
    const bouncer = await receiver(() => ({ status: 302, headers: { location: target.url }, body: "x".repeat(5000) }));
    const slug = uniqueSlug();
    await client.webhooks.createWebhookApp({ app_slug: slug, name: "Redirect" });
    await client.webhooks.createWebhookEndpoint(slug, { url: bouncer.url, max_retries: 1, subscriptions: [{ event_name: "thing.done" }] });
    const { delivery_ids } = await client.webhooks.triggerWebhook(slug, { event_name: "thing.done", payload: {} });
    const details = await waitForDelivery(client, slug, String(delivery_ids[0]), (d) => d.status === "failed");
    expect(details.attempt_number).toBe(2);
    expect(details.max_attempts).toBe(2);
    expect(details.http_status_code).toBe(302);
    expect(details.response_body).toHaveLength(1024);
    expect((details as any).attempts[0].error).toMatch(/redirect .* not followed/);
    expect(bouncer.received).toHaveLength(2);
    expect(target.received).toHaveLength(0);
    expect((await client.webhooks.getWebhookStats(slug)).failed_deliveries_24h).toBe(1);
  });

  it("replays deliveries by ids and by date range as completed tasks, with the same webhook-id", async () => {
    const hook = await receiver();
    const slug = uniqueSlug();
    await client.webhooks.createWebhookApp({ app_slug: slug, name: "Replay" });
    await client.webhooks.createWebhookEndpoint(slug, { url: hook.url, subscriptions: [{ event_name: "report.ready" }] });
    const since = new Date(Date.now() - 1000).toISOString();
    const first = await client.webhooks.triggerWebhook(slug, { event_name: "report.ready", payload: { n: 1 } });
    const second = await client.webhooks.triggerWebhook(slug, { event_name: "report.ready", payload: { n: 2 } });
    await hook.waitFor((all) => all.length >= 2);
    const firstId = String(first.delivery_ids[0]);
    await waitForDelivery(client, slug, firstId, (d) => d.status === "succeeded");

    const replay = await client.webhooks.replayWebhookDelivery(slug, firstId, { idempotency_key: "once" });
    expect(replay).toMatchObject({ status: "completed", task_id: expect.stringMatching(/^whr_/) });
    await hook.waitFor((all) => all.length >= 3);
    expect(hook.received[2]!.id).toBe(firstId);
    expect(hook.received[2]!.body).toBe(hook.received.find((r) => r.id === firstId)!.body);
    const again = await client.webhooks.replayWebhookDelivery(slug, firstId, { idempotency_key: "once" });
    expect(again.task_id).toBe(replay.task_id);

    const task = await client.webhooks.getWebhookReplayTaskStatus(slug, replay.task_id!);
    expect(task).toMatchObject({
      task_id: replay.task_id,
      app_slug: slug,
      status: "completed",
      total_count: 1,
      processed: 1,
      replayed_count: 1,
      failed_count: 0,
    });

    await waitForDelivery(client, slug, firstId, (d) => d.status === "succeeded");
    const byRange = await client.webhooks.replayWebhookDeliveries(slug, { start_date: since, event_name: "report.ready" });
    const rangeTask = await client.webhooks.getWebhookReplayTaskStatus(slug, byRange.task_id!);
    expect(rangeTask.replayed_count).toBe(2);
    const after = await hook.waitFor((all) => all.length >= 5);
    expect(
      after
        .slice(3)
        .map((r) => r.id)
        .sort(),
    ).toEqual([firstId, String(second.delivery_ids[0])].sort());

    const tasks = await client.webhooks.listWebhookReplayTasks(slug, {});
    expect(tasks.data.map((t) => t.task_id)).toEqual([byRange.task_id, replay.task_id]);
    const cancel = await thrown(() => client.webhooks.cancelWebhookReplayTask(slug, replay.task_id!));
    expect(cancel.statusCode).toBe(409);
    const unknown = await thrown(() => client.webhooks.replayWebhookDeliveries(slug, { delivery_ids: ["whd_nope"] }));
    expect(unknown).toBeInstanceOf(NotFoundError);
    const neither = await call("POST", `/webhooks/apps/${slug}/deliveries/replay`, {});
    expect(neither.status).toBe(400);
    const badDate = await call("POST", `/webhooks/apps/${slug}/deliveries/replay`, { start_date: "yesterday" });
    expect([badDate.status, badDate.body.details]).toEqual([400, { start_date: expect.stringContaining("RFC 3339") }]);
  });

  it("signs with both secrets for a day after rotate-secret", async () => {
    const hook = await receiver();
    const slug = uniqueSlug();
    const app = await client.webhooks.createWebhookApp({ app_slug: slug, name: "Rotate" });
    await client.webhooks.createWebhookEndpoint(slug, { url: hook.url, subscriptions: [{ event_name: "k.rotated" }] });
    const rotated = await client.webhooks.rotateWebhookSecret(slug);
    expect(rotated.signing_secret).not.toBe(app.signing_secret);
    expect((await client.webhooks.getWebhookApp(slug)).signing_secret).toBe(rotated.signing_secret);

    await client.webhooks.triggerWebhook(slug, { event_name: "k.rotated", payload: {} });
    const [webhook] = await hook.waitFor((all) => all.length >= 1);
    const headers = webhook!.headers as Record<string, string>;
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(new Webhook(rotated.signing_secret).verify(webhook!.body, headers)).toMatchObject({ type: "k.rotated" });
    expect(new Webhook(app.signing_secret).verify(webhook!.body, headers)).toMatchObject({ type: "k.rotated" });
  });

  it("tests an endpoint synchronously, disables one that keeps failing, and reactivates it", async () => {
    const hook = await receiver(() => ({ status: 500, body: "boom" }));
    const slug = uniqueSlug();
    const app = await client.webhooks.createWebhookApp({ app_slug: slug, name: "Disable" });
    const endpoint = await client.webhooks.createWebhookEndpoint(slug, { url: hook.url, max_retries: 0, subscriptions: [{ event_name: "x.y" }] });

    const test = await client.webhooks.testWebhookEndpoint(slug, endpoint.id, { event_name: "ping", payload: { hello: 1 } });
    expect(test).toMatchObject({ success: false, status_code: 500, response_body: "boom" });
    expect(new Webhook(app.signing_secret).verify(hook.received[0]!.body, hook.received[0]!.headers as Record<string, string>)).toMatchObject({
      type: "ping",
      data: { hello: 1 },
    });

    // A server that disables an endpoint at its first failure: "failing for days" with the days set to 0.
    const failing = await startServer(dialect, { config: { ...fastWebhookConfig, webhookDisableAfterMs: 0 } });
    try {
      const failingClient = new WachtClient({ apiKey: failing.apiKey, baseUrl: failing.baseUrl });
      await failingClient.webhooks.createWebhookApp({ app_slug: slug, name: "Disable" });
      const failingEndpoint = await failingClient.webhooks.createWebhookEndpoint(slug, {
        url: hook.url,
        max_retries: 0,
        subscriptions: [{ event_name: "x.y" }],
      });
      const { delivery_ids } = await failingClient.webhooks.triggerWebhook(slug, { event_name: "x.y", payload: {} });
      await waitForDelivery(failingClient, slug, String(delivery_ids[0]), (d) => d.status === "failed");
      const disabled = (await failingClient.webhooks.listWebhookEndpoints(slug, { include_inactive: true })).data[0]!;
      expect(disabled).toMatchObject({ id: failingEndpoint.id, auto_disabled: true, is_active: false, failure_count: 1, auto_disabled_at: expect.any(String) });
      const skipped = await failingClient.webhooks.triggerWebhook(slug, { event_name: "x.y", payload: {} });
      expect(skipped.delivered_count).toBe(0);

      expect(await failingClient.webhooks.reactivateWebhookEndpoint(failingEndpoint.id)).toEqual({ success: true, message: expect.any(String) });
      const back = (await failingClient.webhooks.listWebhookEndpoints(slug, {})).data[0]!;
      expect(back).toMatchObject({ auto_disabled: false, is_active: true, failure_count: 0 });
      expect(await thrown(() => failingClient.webhooks.reactivateWebhookEndpoint("whe_unknown"))).toBeInstanceOf(NotFoundError);
    } finally {
      await failing.close();
    }
  });

  it("answers 501 for the routes it does not serve", async () => {
    const slug = uniqueSlug();
    await client.webhooks.createWebhookApp({ app_slug: slug, name: "Unsupported" });
    for (const [method, path] of [
      ["GET", "/webhooks/event-catalogs"],
      ["POST", "/webhooks/event-catalogs"],
      ["GET", "/webhooks/event-catalogs/x"],
      ["PUT", "/webhooks/event-catalogs/x"],
      ["POST", "/webhooks/event-catalogs/x/append-events"],
      ["GET", `/webhooks/apps/${slug}/catalog`],
      ["GET", `/webhooks/apps/${slug}/analytics`],
      ["GET", `/webhooks/apps/${slug}/timeseries`],
    ] as const) {
      const answer = await call(method, path, method === "GET" ? undefined : {});
      expect([method, path, answer.status, answer.body.code]).toEqual([method, path, 501, "not_implemented"]);
    }
    const events = await client.webhooks.listWebhookEvents(slug);
    expect(events.map((e) => e.event_name)).toContain("user.created");
    const catalog = await call("POST", "/webhooks/apps", { name: "c", event_catalog_slug: "main" });
    expect([catalog.status, catalog.body.code]).toEqual([400, "webhook_event_catalogs_unsupported"]);
  });
});

/** Polls the delivery through the API until `done` holds (the dispatcher works in the background). */
async function waitForDelivery(client: WachtClient, slug: string, deliveryId: string, done: (details: any) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const details = await client.webhooks.getWebhookDelivery(slug, deliveryId, {});
    if (done(details)) return details;
    if (Date.now() > deadline) throw new Error(`delivery ${deliveryId} still ${JSON.stringify(details)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
