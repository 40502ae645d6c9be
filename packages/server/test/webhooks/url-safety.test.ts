import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendWebhook } from "../../src/webhooks/sender.js";
import { checkEndpointUrl, refusedAddressReason } from "../../src/webhooks/url-safety.js";
import { apiClient, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { startReceiver, type Receiver } from "../helpers/webhook-receiver.js";

/** With WACHT_WEBHOOK_ALLOW_PRIVATE_NETWORKS off (the default), endpoints cannot reach the server's own networks. */
describe.each(DIALECTS)("webhook URL safety on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let receiver: Receiver;
  const slug = "ssrf";

  beforeAll(async () => {
    server = await startServer(dialect, { config: { webhookAllowPrivateNetworks: false, webhookPollIntervalMs: 25 } });
    call = apiClient(server.baseUrl, server.apiKey);
    receiver = await startReceiver();
    expect((await call("POST", "/webhooks/apps", { app_slug: slug, name: "SSRF" })).status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it.each([
    "http://127.0.0.1:8080/hook",
    "http://127.1.2.3/",
    "http://localhost:3000/hook",
    "http://LOCALHOST./hook",
    "http://api.localhost/",
    "http://10.0.0.5/",
    "http://172.16.4.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://100.100.100.200/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://[::1]/",
    "http://[::]/",
    "http://[fe80::1]/",
    "http://[fd00:ec2::254]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "ftp://example.com/",
    "http://user:pass@example.com/",
  ])("refuses %s when an endpoint is created or updated", async (url) => {
    const created = await call("POST", `/webhooks/apps/${slug}/endpoints`, { url, subscriptions: [{ event_name: "user.created" }] });
    expect([created.status, created.body.code, Object.keys(created.body.details ?? {})]).toEqual([400, "webhook_url_refused", ["url"]]);
  });

  it("refuses an update to a private address", async () => {
    const endpoint = await call("POST", `/webhooks/apps/${slug}/endpoints`, { url: "https://93.184.216.34/wacht", subscriptions: [] });
    expect(endpoint.status).toBe(200);
    const updated = await call("PATCH", `/webhooks/apps/${slug}/endpoints/${endpoint.body.id}`, { url: "http://127.0.0.1/" });
    expect([updated.status, updated.body.code]).toEqual([400, "webhook_url_refused"]);
  });

  it("refuses at delivery time a name that resolves to loopback, and does not follow redirects", async () => {
    // This machine's own name resolves to a loopback address (/etc/hosts): the check after DNS must catch it.
    const name = hostname();
    const addresses = await lookup(name, { all: true });
    expect(addresses.some(({ address }) => refusedAddressReason(address) !== null)).toBe(true);
    expect(checkEndpointUrl(`http://${name}:${receiver.port}/hook`, false)).toBeNull();

    const refused = await sendWebhook({ url: `http://${name}:${receiver.port}/hook`, headers: {}, body: "{}", timeoutMs: 2000, allowPrivateNetworks: false });
    expect(refused).toMatchObject({ succeeded: false, statusCode: null, error: expect.stringMatching(/^refused: .*loopback/) });
    const literal = await sendWebhook({ url: receiver.url, headers: {}, body: "{}", timeoutMs: 2000, allowPrivateNetworks: false });
    expect(literal).toMatchObject({ succeeded: false, statusCode: null, error: expect.stringMatching(/^refused: /) });
    expect(receiver.received).toHaveLength(0);

    // The same request with the override on reaches the receiver: the refusal above was the check, not the network.
    const allowed = await sendWebhook({ url: `http://${name}:${receiver.port}/hook`, headers: {}, body: "{}", timeoutMs: 2000, allowPrivateNetworks: true });
    expect(allowed).toMatchObject({ succeeded: true, statusCode: 200 });
    expect(receiver.received).toHaveLength(1);
  });

  it("judges addresses by their ranges, IPv4-mapped IPv6 included", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.31.255.255",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "::1",
      "fc00::1",
      "fe80::abcd",
      "::ffff:10.0.0.1",
      "::ffff:7f00:1",
      "64:ff9b::a00:1",
      "ff02::1",
    ]) {
      expect([address, refusedAddressReason(address)]).toEqual([address, expect.any(String)]);
    }
    for (const address of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect([address, refusedAddressReason(address)]).toEqual([address, null]);
    }
  });
});
