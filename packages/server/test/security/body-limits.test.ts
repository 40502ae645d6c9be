import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { expectEnvelope, raw } from "../helpers/envelope.js";
import { GOOD_PASSWORD, createUser } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { rawHttp } from "../helpers/raw-http.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/** The body that stalled the event loop: four MiB of `[`, parsed by JSON.parse before any check ran. */
const DEEP_BODY = Buffer.from("[".repeat(4 * 1024 * 1024));

async function probeHealth(server: TestServer, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    const response = await fetch(`${server.baseUrl}/health`);
    await response.text();
    times.push(performance.now() - started);
  }
  return times;
}

const percentile = (values: number[], fraction: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * fraction))]!;

describe.each(DIALECTS)("request bodies on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    server = await startServer(dialect, { config: { signInRateLimitMax: 1000 } });
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  it("keeps /health fast while strangers send deeply nested 4 MiB bodies to sign-in, sign-out and unknown paths", async () => {
    const baseline = await probeHealth(server, 30);
    let attacking = true;
    const statuses = new Set<number>();
    const attacker = async (path: string) => {
      while (attacking) statuses.add((await rawHttp(server.baseUrl, "POST", path, { "content-type": "application/json" }, DEEP_BODY)).status);
    };
    const attackers = [attacker("/sign-in"), attacker("/sign-out"), attacker("/no-such-path"), attacker("/sign-in")];
    const underAttack = await probeHealth(server, 30);
    attacking = false;
    await Promise.all(attackers);

    // Refused by their size before a byte is parsed.
    expect([...statuses]).toEqual([413]);
    // The same probes, as a ratio of the same probes without the attack: parsing one such body
    // blocked every request for one to three seconds.
    const floorMs = Math.max(percentile(baseline, 0.9), 5);
    // (Before the fix the ratio was in the hundreds; the margin covers a busy machine.)
    expect(percentile(underAttack, 0.9) / floorMs).toBeLessThan(50);
  });

  it("refuses outside the Backend API any body larger than sign-in needs, with or without a Content-Length", async () => {
    const padded = JSON.stringify({ identifier: uniqueEmail(), password: "x".repeat(8 * 1024) });
    expectEnvelope(await raw(server, "POST", "/sign-in", padded, { "content-type": "application/json" }), 413, "payload_too_large");
    const chunked = await fetch(`${server.baseUrl}/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(padded));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // A real sign-in body is far below the limit.
    const user = await createUser(call);
    expect((await frontendClient(server.baseUrl).signIn(user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
  });

  it("refuses nesting on the raw bytes, before parsing, everywhere", async () => {
    const nested = (depth: number) => `{"identifier":${"[".repeat(depth)}${"]".repeat(depth)},"password":"p"}`;
    const refused = expectEnvelope(await raw(server, "POST", "/sign-in", nested(100), { "content-type": "application/json" }), 400);
    expect(refused.details).toEqual({ body: "must be nested at most 32 levels deep" });
    // Brackets inside strings are text, not nesting.
    const user = await createUser(call);
    const inString = await call("PATCH", `/users/${user.id}`, { public_metadata: { note: "[".repeat(500) } });
    expect(inString.status).toBe(200);
    expect(inString.body.public_metadata.note).toBe("[".repeat(500));
    expectEnvelope(
      await raw(server, "PATCH", `/users/${user.id}`, `{"public_metadata":${'{"a":'.repeat(40)}1${"}".repeat(40)}}`, { "content-type": "application/json" }),
      400,
    );
  });

  it("sizes the Backend API's limits per route: users take metadata, other routes take little", async () => {
    const user = await createUser(call);
    const metadata = { blob: "m".repeat(20 * 1024) };
    expect((await call("PATCH", `/users/${user.id}`, { public_metadata: metadata })).status).toBe(200);
    const bigEmail = await raw(server, "POST", `/users/${user.id}/emails`, JSON.stringify({ email: uniqueEmail(), padding: "p".repeat(20 * 1024) }), {
      "content-type": "application/json",
    });
    expectEnvelope(bigEmail, 413, "payload_too_large");
    const tooBigForUsers = JSON.stringify({ public_metadata: { blob: "m".repeat(300 * 1024) } });
    expectEnvelope(await raw(server, "PATCH", `/users/${user.id}`, tooBigForUsers, { "content-type": "application/json" }), 413, "payload_too_large");
  });

  it("refuses a body on routes that take none, before reading it", async () => {
    const user = await createUser(call);
    const emailId = user.primary_email_address_id ?? (await call("GET", `/users/${user.id}/details`)).body.primary_email_address_id;
    const auth = { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" };
    for (const [method, path] of [
      ["GET", "/users"],
      ["DELETE", `/users/${user.id}/password`],
      ["POST", `/users/${user.id}/emails/${emailId}/make-primary`],
      ["POST", `/users/${user.id}/sessions/revoke-all`],
      ["POST", "/sign-out"],
      ["GET", "/health"],
    ] as const) {
      const answer = await rawHttp(server.baseUrl, method, path, auth, DEEP_BODY);
      expect(answer.status, `${method} ${path} ${JSON.stringify(answer.body)}`).toBe(413);
      expect(answer.body.code, `${method} ${path}`).toBe("body_not_allowed");
    }
    // Without a body they work as before.
    expect((await call("POST", `/users/${user.id}/emails/${emailId}/make-primary`)).status).toBe(200);
    expect((await frontendClient(server.baseUrl).signOut({})).status).toBe(200);
  });

  it("refuses __proto__ and constructor.prototype in multipart metadata as in JSON bodies", async () => {
    const user = await createUser(call);
    for (const text of ['{"__proto__":{"isAdmin":true}}', '{"nested":{"constructor":{"prototype":{"isAdmin":true}}}}']) {
      const form = new FormData();
      form.append("public_metadata", text);
      const answer = await call("PATCH", `/users/${user.id}`, form);
      expect(answer.status, text).toBe(400);
      expect(answer.body.details).toEqual({ public_metadata: "must not contain __proto__ or constructor.prototype keys" });
      const json = await raw(server, "PATCH", `/users/${user.id}`, `{"public_metadata":${text}}`, { "content-type": "application/json" });
      expect(json.status, text).toBe(400);
    }
    expect((await call("GET", `/users/${user.id}/details`)).body.public_metadata).toEqual({});
    // A key merely named "constructor" is data like any other.
    const form = new FormData();
    form.append("public_metadata", '{"constructor":"Acme"}');
    expect((await call("PATCH", `/users/${user.id}`, form)).body.public_metadata).toEqual({ constructor: "Acme" });
  });
});

describe.each(DIALECTS)("sign-in attempts counted before validation on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(dialect, { config: { signInRateLimitMax: 3 } });
  });
  afterAll(async () => server?.close());

  it("counts malformed, oversized and too-deep sign-ins against the address's allowance", async () => {
    const statuses = [
      (await raw(server, "POST", "/sign-in", '{"identifier":1}', { "content-type": "application/json" })).status,
      (await raw(server, "POST", "/sign-in", "x".repeat(10_000), { "content-type": "application/json" })).status,
      (await raw(server, "POST", "/sign-in", "[".repeat(1000), { "content-type": "application/json" })).status,
    ];
    expect(statuses).toEqual([400, 413, 400]);
    const limited = await raw(server, "POST", "/sign-in", "[".repeat(1000), { "content-type": "application/json" });
    expectEnvelope(limited, 429, "rate_limited");
  });
});
