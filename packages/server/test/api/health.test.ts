import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../helpers/dialects.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

describe.each(DIALECTS)("health and auth on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(dialect);
  });
  afterAll(async () => server?.close());

  it("answers /health without a key", async () => {
    const response = await fetch(`${server.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses the API without a key, with the JSON envelope", async () => {
    const response = await fetch(`${server.baseUrl}/users`);
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body).toMatchObject({ code: "unauthenticated", errors: [{ code: 401 }] });
    expect(body.message).toContain("Bearer");
  });
});
