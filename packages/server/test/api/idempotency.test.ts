import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createApiKey } from "../../src/api-keys/api-keys.service.js";
import { createDeployment } from "../../src/deployments/deployments.service.js";
import { apiClient, uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { useServer } from "../helpers/use-server.js";

describe.each(DIALECTS)("Idempotency-Key on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;

  const create = (email: string, key: string, extra: object = {}) =>
    call("POST", "/users", { email_address: email, skip_password_check: true, ...extra }, { "idempotency-key": key });

  it("runs a retried create once and replays its answer", async () => {
    const email = uniqueEmail("idem");
    const key = randomUUID();
    const first = await create(email, key);
    const retry = await create(email, key);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const listed = await call("GET", `/users?email_address=${encodeURIComponent(email)}`);
    expect(listed.body.total).toBe(1);
  });

  it("replays a stored 409 as well, and refuses the key for a different request", async () => {
    const email = uniqueEmail("idem");
    expect((await create(email, randomUUID())).status).toBe(200);
    const key = randomUUID();
    const conflict = await create(email, key);
    expect(conflict.status).toBe(409);
    const again = await create(email, key);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("email_taken");
    const reused = await create(uniqueEmail("other"), key);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe("idempotency_key_reused");
  });

  it("does not store answers to invalid requests, and scopes keys to the deployment", async () => {
    const key = randomUUID();
    const invalid = await call("POST", "/users", { email_address: 42 }, { "idempotency-key": key });
    expect(invalid.status).toBe(400);
    expect((await create(uniqueEmail("idem"), key)).status).toBe(200);

    const staging = await createDeployment(server.db, "staging");
    const { secret } = await createApiKey(server.db, staging.id, "staging");
    const email = uniqueEmail("tenant");
    const inStaging = await apiClient(server.baseUrl, secret)(
      "POST",
      "/users",
      { email_address: email, skip_password_check: true },
      { "idempotency-key": key },
    );
    expect(inStaging.status).toBe(200);
    expect(inStaging.headers.get("idempotent-replayed")).toBeNull();
  });

  it("lets one of many concurrent requests with one key run, never creating two users", async () => {
    const email = uniqueEmail("idem-race");
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, () => create(email, key)));
    const created = new Set(results.filter((r) => r.status === 200).map((r) => r.body.id));
    expect(created.size).toBe(1);
    for (const result of results) {
      expect([200, 409]).toContain(result.status);
      if (result.status === 409) expect(result.body.code).toBe("idempotency_key_in_progress");
    }
    expect((await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.total).toBe(1);
  });

  it("rejects a malformed key with a 400 naming the header", async () => {
    const result = await create(uniqueEmail("idem"), "x".repeat(300));
    expect(result.status).toBe(400);
    expect(result.body.details).toHaveProperty("Idempotency-Key");
  });
});
