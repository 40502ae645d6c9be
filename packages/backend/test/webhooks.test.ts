import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { NotFoundError, WachtClient, verifyWebhook, webhooks, type WebhookApp } from "../src/index.js";
import { sendJson, startLocalServer, type LocalServer, type ReceivedRequest } from "./helpers/local-server.js";
import { startRealServer, uniqueEmail } from "./helpers/real-server.js";
import { serverHas } from "./helpers/server-has.js";

/*
 * Issue 11, SDK half: `client.webhooks`. The wire block (node:http) checks every method's method,
 * path and body against the published client's and always runs. The real-server block is skipped
 * while the server answers 404 route_not_found for /webhooks/apps (the events branch has not
 * landed) and runs by itself once it does.
 */

const server = await startRealServer({ webhookAllowPrivateNetworks: true, webhookPollIntervalMs: 50, webhookRetryScheduleMs: [100, 100, 100] });
afterAll(() => server.close());
const hasWebhooks = await serverHas(server, "GET", "/webhooks/apps");

describe("on the wire (node:http)", () => {
  let local: LocalServer | undefined;
  afterEach(async () => {
    await local?.close();
    local = undefined;
  });

  const page = { data: [], total: 0, limit: 20, offset: 0, has_more: false };

  it.each([
    [
      "listWebhookApps",
      (c: WachtClient) => c.webhooks.listWebhookApps({ limit: 5, include_inactive: true }),
      "GET",
      "/webhooks/apps?limit=5&include_inactive=true",
      undefined,
    ],
    ["getWebhookApp", (c: WachtClient) => c.webhooks.getWebhookApp("billing"), "GET", "/webhooks/apps/billing", undefined],
    ["createWebhookApp", (c: WachtClient) => c.webhooks.createWebhookApp({ name: "Billing" }), "POST", "/webhooks/apps", { name: "Billing" }],
    [
      "updateWebhookApp",
      (c: WachtClient) => c.webhooks.updateWebhookApp("billing", { is_active: false }),
      "PATCH",
      "/webhooks/apps/billing",
      { is_active: false },
    ],
    ["deleteWebhookApp", (c: WachtClient) => c.webhooks.deleteWebhookApp("billing"), "DELETE", "/webhooks/apps/billing", undefined],
    ["rotateWebhookSecret", (c: WachtClient) => c.webhooks.rotateWebhookSecret("billing"), "POST", "/webhooks/apps/billing/rotate-secret", undefined],
    [
      "triggerWebhook",
      (c: WachtClient) => c.webhooks.triggerWebhook("billing", { event_name: "order.paid", payload: { id: 1 } }),
      "POST",
      "/webhooks/apps/billing/trigger",
      { app_slug: "billing", event_name: "order.paid", payload: { id: 1 } },
    ],
    [
      "listWebhookEndpoints",
      (c: WachtClient) => c.webhooks.listWebhookEndpoints("billing", { offset: 20 }),
      "GET",
      "/webhooks/apps/billing/endpoints?offset=20",
      undefined,
    ],
    [
      "createWebhookEndpoint",
      (c: WachtClient) => c.webhooks.createWebhookEndpoint("billing", { url: "https://hooks.example.com", subscriptions: [{ event_name: "user.created" }] }),
      "POST",
      "/webhooks/apps/billing/endpoints",
      { url: "https://hooks.example.com", subscriptions: [{ event_name: "user.created" }], app_slug: "billing" },
    ],
    [
      "updateWebhookEndpoint",
      (c: WachtClient) => c.webhooks.updateWebhookEndpoint("billing", "wep_1", { is_active: true }),
      "PATCH",
      "/webhooks/apps/billing/endpoints/wep_1",
      { is_active: true },
    ],
    [
      "deleteWebhookEndpoint",
      (c: WachtClient) => c.webhooks.deleteWebhookEndpoint("billing", "wep_1"),
      "DELETE",
      "/webhooks/apps/billing/endpoints/wep_1",
      undefined,
    ],
    [
      "testWebhookEndpoint",
      (c: WachtClient) => c.webhooks.testWebhookEndpoint("billing", "wep_1", { event_name: "user.created" }),
      "POST",
      "/webhooks/apps/billing/endpoints/wep_1/test",
      { event_name: "user.created" },
    ],
    ["reactivateWebhookEndpoint", (c: WachtClient) => c.webhooks.reactivateWebhookEndpoint("wep_1"), "POST", "/webhooks/endpoints/wep_1/reactivate", undefined],
    [
      "listWebhookDeliveries",
      (c: WachtClient) => c.webhooks.listWebhookDeliveries("billing", { status: "failed", since: "2026-01-01T00:00:00Z" }),
      "GET",
      "/webhooks/apps/billing/deliveries?status=failed&since=2026-01-01T00%3A00%3A00Z",
      undefined,
    ],
    ["getWebhookDelivery", (c: WachtClient) => c.webhooks.getWebhookDelivery("billing", "whd_1"), "GET", "/webhooks/apps/billing/deliveries/whd_1", undefined],
    [
      "replayWebhookDelivery",
      (c: WachtClient) => c.webhooks.replayWebhookDelivery("billing", "whd_1"),
      "POST",
      "/webhooks/apps/billing/deliveries/replay",
      { delivery_ids: ["whd_1"] },
    ],
    [
      "replayWebhookDeliveries",
      (c: WachtClient) => c.webhooks.replayWebhookDeliveries("billing", { start_date: "2026-01-01T00:00:00Z", status: "failed" }),
      "POST",
      "/webhooks/apps/billing/deliveries/replay",
      { start_date: "2026-01-01T00:00:00Z", status: "failed" },
    ],
    ["listWebhookReplayTasks", (c: WachtClient) => c.webhooks.listWebhookReplayTasks("billing"), "GET", "/webhooks/apps/billing/deliveries/replay", undefined],
    [
      "getWebhookReplayTaskStatus",
      (c: WachtClient) => c.webhooks.getWebhookReplayTaskStatus("billing", "rpt_1"),
      "GET",
      "/webhooks/apps/billing/deliveries/replay/rpt_1",
      undefined,
    ],
    [
      "cancelWebhookReplayTask",
      (c: WachtClient) => c.webhooks.cancelWebhookReplayTask("billing", "rpt_1"),
      "POST",
      "/webhooks/apps/billing/deliveries/replay/rpt_1/cancel",
      undefined,
    ],
    ["getWebhookStats", (c: WachtClient) => c.webhooks.getWebhookStats("billing"), "GET", "/webhooks/apps/billing/stats", undefined],
    ["listWebhookEvents", (c: WachtClient) => c.webhooks.listWebhookEvents("billing"), "GET", "/webhooks/apps/billing/events", undefined],
  ] as const)("%s → %s %s", async (_name, call, method, url, body) => {
    local = await startLocalServer((_request, response) => sendJson(response, 200, { ...page, events: [] }));
    const client = new WachtClient({ apiKey: "wk_test", baseUrl: local.baseUrl });
    await call(client);
    const request = local.requests.at(-1)!;
    expect(request).toMatchObject({ method, url });
    expect(request.body === "" ? undefined : JSON.parse(request.body)).toEqual(body);
  });

  it("sends no automatic Idempotency-Key when the answer holds the signing secret", async () => {
    local = await startLocalServer((_request, response) => sendJson(response, 200, {}));
    const client = new WachtClient({ apiKey: "wk_test", baseUrl: local.baseUrl });
    await client.webhooks.createWebhookApp({ name: "Billing" });
    expect(local.requests.at(-1)!.headers["idempotency-key"]).toBeUndefined();
    await client.webhooks.rotateWebhookSecret("billing");
    expect(local.requests.at(-1)!.headers["idempotency-key"]).toBeUndefined();
    await client.webhooks.triggerWebhook("billing", { event_name: "order.paid", payload: {} });
    expect(local.requests.at(-1)!.headers["idempotency-key"]).toMatch(/^wacht-retry-/);
  });

  it("iterates deliveries page by page, module style too", async () => {
    const delivery = (id: string) => ({ delivery_id: id, event_name: "user.created" });
    local = await startLocalServer((request, response) => {
      const offset = Number(new URL(request.url, "http://x").searchParams.get("offset") ?? 0);
      const data = offset === 0 ? [delivery("d1"), delivery("d2")] : [delivery("d3")];
      sendJson(response, 200, { data, total: 3, limit: 2, offset, has_more: offset === 0 });
    });
    const client = new WachtClient({ apiKey: "wk_test", baseUrl: local.baseUrl });
    const ids: string[] = [];
    for await (const item of webhooks.listWebhookDeliveries("billing", { limit: 2 }, client)) ids.push(item.delivery_id);
    expect(ids).toEqual(["d1", "d2", "d3"]);
    expect(local.requests.map((request) => request.url)).toEqual([
      "/webhooks/apps/billing/deliveries?limit=2",
      "/webhooks/apps/billing/deliveries?limit=2&offset=2",
    ]);
  });
});

/** Waits (polling, bounded) until the receiver has `count` requests; deliveries are asynchronous. */
async function receivedAtLeast(
  receiver: LocalServer,
  count: number,
  predicate: (request: ReceivedRequest) => boolean = () => true,
): Promise<ReceivedRequest[]> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const matching = receiver.requests.filter(predicate);
    if (matching.length >= count) return matching;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the receiver got ${receiver.requests.filter(predicate).length} matching requests, expected ${count}`);
}

const headersOf = (request: ReceivedRequest) => Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));

describe.skipIf(!hasWebhooks)("webhooks end to end (real server)", () => {
  const client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl, maxRetries: 0 });
  let receiver: LocalServer;
  let webhookApp: WebhookApp;

  afterAll(() => receiver?.close());

  it("creates an app and an endpoint, and delivers user.created signed as Standard Webhooks", async () => {
    receiver = await startLocalServer((_request, response) => sendJson(response, 200, { ok: true }));
    webhookApp = await client.webhooks.createWebhookApp({ name: "Sync" });
    expect(webhookApp.signing_secret).toMatch(/^whsec_/);
    expect(await client.webhooks.getWebhookApp(webhookApp.app_slug)).toMatchObject({ app_slug: webhookApp.app_slug, name: "Sync" });
    const listed = await client.webhooks.listWebhookApps();
    expect(listed.data.map((item) => item.app_slug)).toContain(webhookApp.app_slug);

    const endpoint = await client.webhooks.createWebhookEndpoint(webhookApp.app_slug, {
      url: `${receiver.baseUrl}/hooks`,
      subscriptions: [{ event_name: "user.created" }],
    });
    expect(endpoint).toMatchObject({ url: `${receiver.baseUrl}/hooks`, is_active: true, subscriptions: [{ event_name: "user.created" }] });
    expect((await client.webhooks.listWebhookEndpoints(webhookApp.app_slug)).data.map((item) => item.id)).toEqual([endpoint.id]);

    const user = await client.users.createUser({ first_name: "Hook", last_name: "Ed", email_address: uniqueEmail("hook"), skip_password_check: true });
    const [delivery] = await receivedAtLeast(receiver, 1);
    const event = await verifyWebhook<{ type: string; data: { id: string } }>(delivery!.body, headersOf(delivery!), webhookApp.signing_secret);
    expect(event).toMatchObject({ type: "user.created", data: { id: user.id } });
    expect(new Webhook(webhookApp.signing_secret).verify(delivery!.body, headersOf(delivery!))).toEqual(event);

    const deliveries = await client.webhooks.listWebhookDeliveries(webhookApp.app_slug);
    const listedDelivery = deliveries.data.find((item) => item.delivery_id === delivery!.headers["webhook-id"]);
    expect(listedDelivery).toMatchObject({ event_name: "user.created", endpoint_id: endpoint.id });
    const details = await client.webhooks.getWebhookDelivery(webhookApp.app_slug, listedDelivery!.delivery_id);
    expect(details.payload).toEqual(event);

    const replay = await client.webhooks.replayWebhookDelivery(webhookApp.app_slug, listedDelivery!.delivery_id);
    expect(replay.task_id).toEqual(expect.any(String));
    expect((await client.webhooks.getWebhookReplayTaskStatus(webhookApp.app_slug, replay.task_id!)).task_id).toBe(replay.task_id);
    const again = await receivedAtLeast(receiver, 2);
    expect(again[1]!.headers["webhook-id"]).toBe(delivery!.headers["webhook-id"]);

    const stats = await client.webhooks.getWebhookStats(webhookApp.app_slug);
    expect(stats.active_endpoints).toBe(1);
    expect(stats.total_deliveries).toBeGreaterThanOrEqual(1);
  });

  it("rotates the secret: the next delivery verifies with the old and the new one", async () => {
    const before = receiver.requests.length;
    const rotated = await client.webhooks.rotateWebhookSecret(webhookApp.app_slug);
    expect(rotated.signing_secret).not.toBe(webhookApp.signing_secret);
    await client.users.createUser({ first_name: "After", last_name: "Rotation", email_address: uniqueEmail("rotated"), skip_password_check: true });
    const delivery = (await receivedAtLeast(receiver, before + 1)).at(-1)!;
    expect(await verifyWebhook(delivery.body, headersOf(delivery), rotated.signing_secret)).toMatchObject({ type: "user.created" });
    expect(await verifyWebhook(delivery.body, headersOf(delivery), webhookApp.signing_secret)).toMatchObject({ type: "user.created" });
  });

  it("tests, triggers an app's own event, reactivates, and deletes", async () => {
    const [endpoint] = (await client.webhooks.listWebhookEndpoints(webhookApp.app_slug)).data;
    const tested = await client.webhooks.testWebhookEndpoint(webhookApp.app_slug, endpoint!.id, { event_name: "user.created", payload: { hello: "world" } });
    expect(tested).toMatchObject({ success: true, status_code: 200 });

    await client.webhooks.updateWebhookEndpoint(webhookApp.app_slug, endpoint!.id, {
      subscriptions: [{ event_name: "user.created" }, { event_name: "order.paid" }],
    });
    const triggered = await client.webhooks.triggerWebhook(webhookApp.app_slug, { event_name: "order.paid", payload: { order_id: "o_1" } });
    expect(triggered.delivery_ids).toHaveLength(1);
    const [order] = await receivedAtLeast(receiver, 1, (request) => request.body.includes("order.paid"));
    expect(order!.headers["webhook-id"]).toBe(triggered.delivery_ids[0]);

    expect((await client.webhooks.reactivateWebhookEndpoint(endpoint!.id)).success).toBe(true);
    await client.webhooks.deleteWebhookEndpoint(webhookApp.app_slug, endpoint!.id);
    await client.webhooks.deleteWebhookApp(webhookApp.app_slug);
    await expect(client.webhooks.getWebhookApp(webhookApp.app_slug)).rejects.toBeInstanceOf(NotFoundError);
  });
});
