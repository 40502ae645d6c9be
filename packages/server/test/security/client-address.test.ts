import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import { addressKeyOf } from "../../src/http/client-address.js";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

describe("WACHT_TRUST_PROXY", () => {
  it("refuses true, which believes any X-Forwarded-For, and says what to give instead", () => {
    expect(() => readConfig({ WACHT_TRUST_PROXY: "true" })).toThrow(/number of proxies.*addresses\/CIDRs/);
  });

  it("accepts a hop count or the proxies' addresses and CIDRs, and refuses anything else", () => {
    expect(readConfig({}).trustProxy).toBe(false);
    expect(readConfig({ WACHT_TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(readConfig({ WACHT_TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(readConfig({ WACHT_TRUST_PROXY: "10.0.0.0/8, 192.168.1.10,fd00::/8,loopback" }).trustProxy).toEqual([
      "10.0.0.0/8",
      "192.168.1.10",
      "fd00::/8",
      "loopback",
    ]);
    for (const bad of ["0", "yes", "10.0.0.0/33", "<script>", "10.0.0.1/8/8", "example.com"]) {
      expect(() => readConfig({ WACHT_TRUST_PROXY: bad }), bad).toThrow(/WACHT_TRUST_PROXY/);
    }
  });
});

describe("per-address keys", () => {
  it("keys IPv4 by address and IPv6 by its /64", () => {
    expect(addressKeyOf("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKeyOf("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKeyOf("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(addressKeyOf("::1")).toBe("0:0:0:0::/64");
    expect(addressKeyOf("2001:db8::")).toBe("2001:db8:0:0::/64");
    expect(addressKeyOf("::ffff:0:192.0.2.1")).toBe("0:0:0:0::/64");
  });
});

describe.each(DIALECTS)("client addresses behind one proxy on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    // The test client plays both the proxy (the socket peer) and whatever client it claims to forward.
    server = await startServer(dialect, { config: { trustProxy: 1, signInRateLimitMax: 2 } });
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  async function signInAs(forwardedFor: string, identifier = uniqueEmail(), password = "wrong password") {
    return frontendClient(server.baseUrl).signIn(identifier, password, { "x-forwarded-for": forwardedFor });
  }

  it("stores only a real address as a session's ip_address: a forged string falls back to the peer's", async () => {
    const user = await createUser(call);
    expect((await signInAs("<script>alert(1)</script>", user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
    expect((await signInAs("198.51.100.23", user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
    const sessions = await call("GET", `/users/${user.id}/sessions`);
    expect(sessions.body.data.map((session: any) => session.ip_address).sort()).toEqual(["127.0.0.1", "198.51.100.23"]);
  });

  it("believes only the entry the proxy appended, so rotating forged entries does not reset the sign-in limit", async () => {
    const client = "198.51.100.77";
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++)
      statuses.push((await signInAs(`10.${attempt}.0.1, ${randomBytes(2).readUInt16BE()}.0.0.9, ${client}`)).status);
    expect(statuses).toEqual([401, 401, 429]);
    // Garbage in the proxy's own entry is keyed on the proxy (127.0.0.1, shared with the other
    // tests here), not on the garbage: new strings buy no new attempts.
    const garbage = [];
    for (let attempt = 0; attempt < 3; attempt++) garbage.push((await signInAs(`not-an-address-${attempt}`)).status);
    expect(garbage.at(-1)).toBe(429);
  });

  it("limits IPv6 clients per /64, not per address", async () => {
    const statuses = [];
    for (const address of ["2001:db8:aa:1::1", "2001:db8:aa:1:ffff::2", "2001:db8:aa:1:1234:5678:9abc:def0"]) statuses.push((await signInAs(address)).status);
    expect(statuses).toEqual([401, 401, 429]);
    // The neighbouring /64 is someone else.
    expect((await signInAs("2001:db8:aa:2::1")).status).toBe(401);
  });
});
