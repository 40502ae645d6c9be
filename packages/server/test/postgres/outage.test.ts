import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { startPrivatePostgres, type PrivatePostgres } from "../helpers/private-postgres.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `call` answers `status`, for at most `timeoutMs` (bounded: the test stops by itself). */
async function waitForStatus(call: () => Promise<{ status: number }>, status: number, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = (await call()).status;
    if (last === status) return last;
    await sleep(200);
  }
  return last;
}

describe.runIf(DIALECTS.includes("postgres"))("Postgres restarted under a running server", () => {
  let postgres: PrivatePostgres | string;
  let server: TestServer;
  let call: ApiCall;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    if (typeof postgres === "string") throw new Error(`cannot run a private Postgres: ${postgres}`);
    server = await startServer("postgres", { databaseUrl: postgres.url });
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => {
    await server?.close();
    if (typeof postgres === "object") postgres.destroy();
  });

  it("answers JSON 503 while the database is down and recovers by itself", async () => {
    if (typeof postgres === "string") return;
    const email = uniqueEmail("outage");
    const created = await call("POST", "/users", { email_address: email, skip_password_check: true });
    expect(created.status).toBe(200);

    postgres.stop();
    const whileDown = await call("GET", `/users/${created.body.id}/details`);
    expect(whileDown.status).toBe(503);
    expect(whileDown.body).toMatchObject({ code: "database_unavailable", errors: [{ code: 503 }] });
    const health = await fetch(`${server.baseUrl}/health`);
    expect(health.status).toBe(503);
    const write = await call("POST", "/users", { email_address: uniqueEmail("outage"), skip_password_check: true });
    expect(write.status).toBe(503);

    postgres.start();
    expect(await waitForStatus(() => call("GET", `/users/${created.body.id}/details`), 200)).toBe(200);
    const after = await call("GET", `/users/${created.body.id}/details`);
    expect(after.body.primary_email_address).toBe(email);
    expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
  });
});
