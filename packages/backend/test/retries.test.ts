import { afterEach, describe, expect, it } from "vitest";
import { ConflictError, RateLimitError, ServerError, WachtClient, WachtConnectionError, WachtTimeoutError, type WachtClientOptions } from "../src/index.js";
import { errorEnvelope, sendJson, startLocalServer, type Handler, type LocalServer } from "./helpers/local-server.js";

const USER = { id: "usr_1", first_name: "Alice" };
let server: LocalServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(handler: Handler, options: WachtClientOptions = {}): Promise<WachtClient> {
  server = await startLocalServer(handler);
  return new WachtClient({ apiKey: "wk_test", baseUrl: server.baseUrl, ...options });
}

const requestCount = () => server?.requests.length ?? 0;
const unavailable: Handler = (_request, response) => sendJson(response, 503, errorEnvelope(503, "Down for maintenance", "unavailable"));
const neverAnswer: Handler = () => {};

describe("retries", () => {
  it("retries a GET answered 503 and returns the following 200", async () => {
    const client = await clientFor((request, response, index) => (index === 0 ? unavailable(request, response, index) : sendJson(response, 200, USER)));
    await expect(client.users.getUser("usr_1")).resolves.toEqual(USER);
    expect(requestCount()).toBe(2);
  });

  it("waits the Retry-After of a 429 before retrying", async () => {
    const client = await clientFor((_request, response, index) =>
      index === 0 ? sendJson(response, 429, errorEnvelope(429, "Slow down", "rate_limited"), { "retry-after": "1" }) : sendJson(response, 200, USER),
    );
    await client.users.getUser("usr_1");
    const [first, second] = server?.requests ?? [];
    expect(second!.receivedAtMs - first!.receivedAtMs).toBeGreaterThanOrEqual(950);
  });

  it("gives up after maxRetries with a RateLimitError carrying retryAfter", async () => {
    const client = await clientFor((_request, response) =>
      sendJson(response, 429, errorEnvelope(429, "Too many requests", "rate_limited"), { "retry-after": "0" }),
    );
    const error = await client.users.listUsers().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ statusCode: 429, retryAfter: 0, message: "Too many requests", code: "rate_limited", requestId: "req_local" });
    expect(requestCount()).toBe(3);
  });

  it("does not wait out a Retry-After longer than a minute", async () => {
    const client = await clientFor((_request, response) => sendJson(response, 429, errorEnvelope(429, "Later", "rate_limited"), { "retry-after": "120" }));
    await expect(client.users.listUsers()).rejects.toMatchObject({ name: "RateLimitError", retryAfter: 120 });
    expect(requestCount()).toBe(1);
  });

  it("retries a GET whose connection was reset", async () => {
    const client = await clientFor((request, response, index) => {
      if (index === 0) response.socket?.destroy();
      else sendJson(response, 200, USER);
    });
    await expect(client.users.getUser("usr_1")).resolves.toEqual(USER);
    expect(requestCount()).toBe(2);
  });

  it("never retries a 409", async () => {
    const client = await clientFor((_request, response) => sendJson(response, 409, errorEnvelope(409, "Email already taken", "email_taken")));
    await expect(client.users.updateEmail("usr_1", "eml_1", { email: "a@b.c" })).rejects.toBeInstanceOf(ConflictError);
    expect(requestCount()).toBe(1);
  });

  it("repeats createUser after a 503 only under one automatic Idempotency-Key", async () => {
    const client = await clientFor((request, response, index) => (index === 0 ? unavailable(request, response, index) : sendJson(response, 200, USER)));
    await expect(client.users.createUser({ first_name: "A", last_name: "B" })).resolves.toEqual(USER);
    const keys = server?.requests.map((request) => request.headers["idempotency-key"]);
    expect(keys).toHaveLength(2);
    expect(keys?.[0]).toMatch(/^wacht-retry-[0-9a-f-]{36}$/);
    expect(keys?.[1]).toBe(keys?.[0]);
  });

  it("does not repeat addEmail when retries are off, and then sends no key", async () => {
    const client = await clientFor((_request, response) => response.socket?.destroy(), { maxRetries: 0 });
    await expect(client.users.addEmail("usr_1", { email: "a@b.c" })).rejects.toBeInstanceOf(WachtConnectionError);
    expect(requestCount()).toBe(1);
    expect(server?.requests[0]?.headers["idempotency-key"]).toBeUndefined();
  });

  it("retries createUser with an idempotencyKey, sending the same key each time", async () => {
    const client = await clientFor((request, response, index) => (index === 0 ? unavailable(request, response, index) : sendJson(response, 200, USER)));
    await client.users.createUser({ first_name: "A", last_name: "B" }, { idempotencyKey: "create-alice-1" });
    expect(server?.requests.map((request) => request.headers["idempotency-key"])).toEqual(["create-alice-1", "create-alice-1"]);
  });

  it.each([
    ["makeEmailPrimary", (client: WachtClient) => client.users.makeEmailPrimary("usr_1", "eml_1")],
    ["revokeAllSignins", (client: WachtClient) => client.users.revokeAllSignins("usr_1")],
    ["updateUser", (client: WachtClient) => client.users.updateUser("usr_1", { first_name: "A" })],
    ["deleteUser", (client: WachtClient) => client.users.deleteUser("usr_1")],
  ])("retries %s, which is safe to repeat", async (_name, call) => {
    const client = await clientFor((request, response, index) => (index === 0 ? unavailable(request, response, index) : sendJson(response, 200, {})));
    await call(client);
    expect(requestCount()).toBe(2);
  });

  it("respects maxRetries per call and per client", async () => {
    const client = await clientFor(unavailable, { maxRetries: 0 });
    await expect(client.users.listUsers()).rejects.toBeInstanceOf(ServerError);
    expect(requestCount()).toBe(1);
    await expect(client.users.listUsers({}, { maxRetries: 1 })).rejects.toBeInstanceOf(ServerError);
    expect(requestCount()).toBe(3);
  });
});

describe("timeouts and aborts", () => {
  it("times out each attempt, retries, then throws WachtTimeoutError", async () => {
    const client = await clientFor(neverAnswer, { timeout: 200, maxRetries: 1 });
    const error = await client.users.getUser("usr_1").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WachtTimeoutError);
    expect(error).toBeInstanceOf(WachtConnectionError);
    expect((error as Error).message).toMatch(/timed out after 200 ms/);
    expect(requestCount()).toBe(2);
  });

  it("times out a server that sends headers and then stalls", async () => {
    const client = await clientFor((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"id":');
    });
    await expect(client.users.getUser("usr_1", { timeout: 200, maxRetries: 0 })).rejects.toBeInstanceOf(WachtTimeoutError);
  });

  it("stops at once when the caller aborts, without retrying", async () => {
    const client = await clientFor(neverAnswer);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(client.users.listUsers({}, { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(requestCount()).toBe(1);
  });

  it("stops waiting between retries when the caller aborts", async () => {
    const client = await clientFor((_request, response) => sendJson(response, 503, {}, { "retry-after": "30" }));
    const started = Date.now();
    await expect(client.users.listUsers({}, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(requestCount()).toBe(1);
  });

  it("does not send a request whose signal is already aborted", async () => {
    const client = await clientFor(neverAnswer);
    await expect(client.users.listUsers({}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    expect(requestCount()).toBe(0);
  });

  it("reports a refused connection as WachtConnectionError", async () => {
    const closed = await startLocalServer(neverAnswer);
    await closed.close();
    const client = new WachtClient({ apiKey: "wk_test", baseUrl: closed.baseUrl, maxRetries: 0 });
    const error = await client.users.listUsers().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WachtConnectionError);
    expect(error).not.toBeInstanceOf(WachtTimeoutError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });
});
