import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError, ConflictError, NotFoundError, RateLimitError, ValidationError, WachtClient } from "../src/index.js";
import { startRealServer, uniqueEmail, type RealServer } from "./helpers/real-server.js";

// 403 and 5xx answers come from a local server in requests.test.ts: the real
// server gives no way to provoke them on demand.
let server: RealServer;
let client: WachtClient;

beforeAll(async () => {
  server = await startRealServer();
  client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
}, 60_000);
afterAll(() => server?.close());

async function failureOf(call: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error("expected the call to fail");
  return error as Error & Record<string, unknown>;
}

function expectServerMessage(error: Record<string, unknown>): void {
  expect(error["message"]).toEqual(expect.any(String));
  expect(error["message"]).not.toBe("An error occurred");
  expect(error["code"]).toMatch(/^[a-z][a-z0-9_]*$/);
  expect(error["requestId"]).toEqual(expect.any(String));
}

describe("errors from a real server", () => {
  it("ValidationError for an invalid email, naming the field", async () => {
    const error = await failureOf(client.users.createUser({ first_name: "A", last_name: "B", email_address: "not-an-email", skip_password_check: true }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error["statusCode"]).toBe(400);
    expectServerMessage(error);
    expect(JSON.stringify(error["details"])).toContain("email");
  });

  it("ValidationError for a weak password and for an out-of-range limit", async () => {
    const { id } = await client.users.createUser({ first_name: "A", last_name: "B", email_address: uniqueEmail(), skip_password_check: true });
    await expect(client.users.updatePassword(id, { new_password: "123" })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.users.listUsers({ limit: 501 })).rejects.toBeInstanceOf(ValidationError);
  });

  it("AuthenticationError for an unknown API key", async () => {
    const stranger = new WachtClient({ apiKey: "wk_not_a_real_key", baseUrl: server.baseUrl });
    const error = await failureOf(stranger.users.listUsers());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error["statusCode"]).toBe(401);
    expectServerMessage(error);
  });

  it("NotFoundError for an unknown user", async () => {
    const error = await failureOf(client.users.getUser("usr_does_not_exist"));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error["statusCode"]).toBe(404);
    expectServerMessage(error);
  });

  it("ConflictError for an email already in use, naming the field", async () => {
    const email = uniqueEmail("taken");
    await client.users.createUser({ first_name: "A", last_name: "B", email_address: email, skip_password_check: true });
    const error = await failureOf(client.users.createUser({ first_name: "C", last_name: "D", email_address: email.toUpperCase(), skip_password_check: true }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error["statusCode"]).toBe(409);
    expectServerMessage(error);
    expect(error["message"]).toMatch(/email/i);
  });
});

describe("rate limiting by a real server", () => {
  let limited: RealServer;
  beforeAll(async () => {
    limited = await startRealServer({ rateLimitMax: 2, rateLimitWindowMs: 1_000 });
  }, 60_000);
  afterAll(() => limited?.close());

  it("RateLimitError with the server's Retry-After once retries are spent, success once waited out", async () => {
    const impatient = new WachtClient({ apiKey: limited.apiKey, baseUrl: limited.baseUrl, maxRetries: 0 });
    await impatient.users.listUsers();
    await impatient.users.listUsers();
    const error = await failureOf(impatient.users.listUsers());
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error["statusCode"]).toBe(429);
    expect(error["retryAfter"]).toEqual(expect.any(Number));
    expectServerMessage(error);

    const patient = new WachtClient({ apiKey: limited.apiKey, baseUrl: limited.baseUrl });
    await expect(patient.users.listUsers()).resolves.toMatchObject({ data: [] });
  });
});
