import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { useTwoInstances } from "../helpers/use-server.js";
import { fastWebhookConfig, startReceiver, type Receiver } from "../helpers/webhook-receiver.js";

/**
 * Two instances share one Postgres outbox: each due delivery is claimed by exactly one of them
 * (FOR UPDATE SKIP LOCKED), so every event arrives and none is delivered successfully twice.
 */
describe.runIf(DIALECTS.includes("postgres"))("webhooks from two instances on one Postgres database", () => {
  const { first, second } = useTwoInstances({ config: fastWebhookConfig });
  const viaFirst = first.call;
  const viaSecond = second.call;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it("delivers each of 200 user changes exactly once across both dispatchers", async () => {
    expect((await viaFirst("POST", "/webhooks/apps", { app_slug: "sync", name: "Sync" })).status).toBe(200);
    const endpoint = await viaSecond("POST", "/webhooks/apps/sync/endpoints", {
      url: receiver.url,
      subscriptions: [{ event_name: "user.created" }, { event_name: "user.updated" }],
    });
    expect(endpoint.status).toBe(200);

    // 200 changes through both instances: 100 users created, then each one updated.
    const changes = 200;
    const userIds: string[] = [];
    for (let batch = 0; batch < 100; batch += 20) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? viaFirst : viaSecond)("POST", "/users", {
            first_name: `U${batch + i}`,
            email_address: uniqueEmail("multi"),
            skip_password_check: true,
          }),
        ),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        userIds.push(answer.body.id);
      }
    }
    for (let batch = 0; batch < 100; batch += 20) {
      const answers = await Promise.all(
        userIds.slice(batch, batch + 20).map((id, i) => (i % 2 === 0 ? viaSecond : viaFirst)("PATCH", `/users/${id}`, { last_name: "Updated" })),
      );
      for (const answer of answers) expect(answer.status).toBe(200);
    }
    const expected = new Set(userIds.flatMap((id) => [`user.created ${id}`, `user.updated ${id}`]));

    const received = await receiver.waitFor((all) => new Set(all.map((r) => r.id)).size >= changes, 60_000);
    const countById = new Map<string, number>();
    for (const webhook of received) countById.set(webhook.id, (countById.get(webhook.id) ?? 0) + 1);
    expect(countById.size).toBe(changes);
    expect([...countById.entries()].filter(([, count]) => count > 1)).toEqual([]);
    expect(new Set(received.map((r) => `${r.json.type} ${r.json.data.id}`))).toEqual(expected);

    // Every delivery is recorded as succeeded after exactly one attempt (the receiver answers before the record commits).
    let page = await viaFirst("GET", "/webhooks/apps/sync/deliveries?limit=100&status=succeeded");
    for (let polls = 0; page.body.total < changes && polls < 500; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      page = await viaFirst("GET", "/webhooks/apps/sync/deliveries?limit=100&status=succeeded");
    }
    expect(page.body.total).toBe(changes);
    expect(page.body.data.every((d: any) => d.attempt_number === 1)).toBe(true);
  });
});
