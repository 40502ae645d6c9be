import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WachtClient } from "wacht-published";
import { startReceiver, type Receiver } from "../helpers/webhook-receiver.js";
import { WACHT_BIN } from "../helpers/wacht-bin.js";

/**
 * The outbox survives `kill -9`: the built `wacht serve` is killed right after a write commits,
 * with the delivery in flight, and the restarted server delivers it (same webhook-id) once the
 * dead instance's lease has passed. Build first: npm run build -w @wacht/server.
 */
const BIN = WACHT_BIN;

const children = new Set<ChildProcess>();
let tempDir: string;
let receiver: Receiver;
const apiKey = `sk_${randomBytes(20).toString("hex")}`;

function serve(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; exited: Promise<unknown> }> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith("WACHT_") || ["PORT", "HOST", "DATABASE_URL"].includes(name)) delete base[name];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, "serve"], {
      env: { ...base, HOST: "127.0.0.1", PORT: "0", WACHT_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    const exited = new Promise((resolveExit) => child.on("close", resolveExit));
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /Wacht is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolvePromise({ url: match[1]!, child, exited });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk) => (output += chunk));
    exited.then((code) => reject(new Error(`wacht serve exited (${code}) before listening:\n${output}`)));
  });
}

describe("webhooks across a crash (kill -9 of wacht serve on SQLite)", () => {
  let env: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run build -w @wacht/server).`);
    tempDir = mkdtempSync(join(tmpdir(), "wacht-crash-"));
    env = {
      DATABASE_URL: `sqlite:${join(tempDir, "wacht.db")}`,
      WACHT_API_KEY: apiKey,
      WACHT_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      WACHT_WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
      WACHT_WEBHOOK_POLL_INTERVAL_MS: "50",
      WACHT_WEBHOOK_LEASE_MS: "1500",
      WACHT_WEBHOOK_TIMEOUT_SECONDS: "30",
    };
    // The first request hangs, as a receiver mid-answer would when the server dies; later ones succeed.
    receiver = await startReceiver((_request, count) => (count === 1 ? "hang" : { status: 200 }));
  });

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await receiver?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it("delivers after restart what was committed before the kill, with the same webhook-id", async () => {
    const first = await serve(env);
    const client = new WachtClient({ apiKey, baseUrl: first.url });
    const app = await client.webhooks.createWebhookApp({ app_slug: "crash", name: "Crash" });
    await client.webhooks.createWebhookEndpoint("crash", { url: receiver.url, subscriptions: [{ event_name: "user.created" }] });
    const user = await client.users.createUser({
      first_name: "Crash",
      last_name: "Test",
      email_address: `crash.${Date.now()}@example.com`,
      skip_password_check: true,
    });
    const [delivery] = (await client.webhooks.listWebhookDeliveries("crash", { event_name: "user.created" })).data;
    const delivery_ids = [delivery!.delivery_id];

    // The write committed and the dispatcher is mid-request: kill the process without a chance to clean up.
    await receiver.waitFor((all) => all.length >= 1);
    first.child.kill("SIGKILL");
    await first.exited;

    const second = await serve(env);
    const all = await receiver.waitFor((received) => received.length >= 2, 20_000);
    expect(all.map((r) => r.id)).toEqual([String(delivery_ids[0]), String(delivery_ids[0])]);
    expect(new Webhook(app.signing_secret).verify(all[1]!.body, all[1]!.headers as Record<string, string>)).toMatchObject({
      type: "user.created",
      data: { id: user.id, first_name: "Crash" },
    });

    const restarted = new WachtClient({ apiKey, baseUrl: second.url });
    let details = await restarted.webhooks.getWebhookDelivery("crash", String(delivery_ids[0]), {});
    for (let polls = 0; details.status !== "succeeded" && polls < 200; polls++) {
      await new Promise((r) => setTimeout(r, 25));
      details = await restarted.webhooks.getWebhookDelivery("crash", String(delivery_ids[0]), {});
    }
    // The killed attempt left no record: the one recorded is the restarted server's.
    expect(details).toMatchObject({ status: "succeeded", attempt_number: 1, http_status_code: 200 });
    second.child.kill("SIGTERM");
    await second.exited;
  });
});
