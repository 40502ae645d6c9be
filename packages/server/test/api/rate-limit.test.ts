import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/api-keys/api-keys.service.js";
import { apiClient, uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/** Requests per API key per window: the answer past the limit, and whose budget a request spends. */
describe.each(DIALECTS)("rate limits on %s", (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(dialect, { config: { rateLimitMax: 3, rateLimitWindowMs: 60_000 } });
  });
  afterAll(async () => server?.close());

  it("answers the 4th request in a window with 429, Retry-After and rate_limited, per key", async () => {
    const call = apiClient(server.baseUrl, server.apiKey);
    for (let i = 0; i < 3; i++) expect((await call("GET", "/users?limit=1")).status).toBe(200);
    const limited = await call("GET", "/users?limit=1");
    const body = expectEnvelope(limited, 429, "rate_limited");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(body.message).toContain(String(retryAfter));
    // Writes are limited too, and the limited request did nothing.
    const email = uniqueEmail("limited");
    expectEnvelope(await call("POST", "/users", { email_address: email, skip_password_check: true }), 429, "rate_limited");

    // Another key of the same deployment has its own budget.
    const { secret } = await createApiKey(server.db, server.deploymentId, "second");
    const second = apiClient(server.baseUrl, secret);
    const listed = await second("GET", `/users?email_address=${encodeURIComponent(email)}`);
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(0);
  });

  it("does not count unauthenticated requests against a key, nor limit /health", async () => {
    for (let i = 0; i < 5; i++) expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await fetch(`${server.baseUrl}/users`, { headers: { authorization: "Bearer sk_nope" } })).status).toBe(401);
    const { secret } = await createApiKey(server.db, server.deploymentId, "third");
    expect((await apiClient(server.baseUrl, secret)("GET", "/users?limit=1")).status).toBe(200);
  });
});
