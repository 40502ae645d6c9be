import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

describe.each(DIALECTS)("sign-in attempts per client address on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(dialect, { config: { signInRateLimitMax: 3, rateLimitWindowMs: 60_000 } });
  });
  afterAll(async () => server?.close());

  it("answers 429 with Retry-After once an address has used its attempts, across accounts", async () => {
    const call = apiClient(server.baseUrl, server.apiKey);
    const email = uniqueEmail("limited");
    expect((await call("POST", "/users", { email_address: email, password: GOOD_PASSWORD })).status).toBe(200);
    const frontend = frontendClient(server.baseUrl);
    const statuses = [];
    // Wrong passwords for different accounts: the per-user lockout never sees a second try.
    for (const identifier of [uniqueEmail("a"), uniqueEmail("b"), uniqueEmail("c")])
      statuses.push((await frontend.signIn(identifier, "wrong password")).status);
    expect(statuses).toEqual([401, 401, 401]);
    const limited = await frontend.signIn(email, GOOD_PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // The Backend API is not counted against the sign-in limit.
    expect((await call("GET", "/users")).status).toBe(200);
  });
});
