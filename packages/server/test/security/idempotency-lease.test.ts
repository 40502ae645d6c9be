import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDEMPOTENCY_CLAIM_LEASE_MS } from "../../src/idempotency/idempotency.service.js";
import { apiClient, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createUser } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

describe.each(DIALECTS)("idempotency claims left by a crashed request on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  const claimOf = (key: string) =>
    server.db
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("deployment_id", "=", server.deploymentId)
      .where("idempotency_key", "=", key)
      .executeTakeFirstOrThrow();

  /** A claim as a request that died after claiming its key leaves it: a fingerprint and no answer. */
  async function leaveCrashedClaim(key: string, fingerprint: string, claimedAgoMs: number) {
    await server.db
      .insertInto("idempotency_keys")
      .values({
        deployment_id: server.deploymentId,
        idempotency_key: key,
        request_fingerprint: fingerprint,
        response_status: null,
        response_body: null,
        created_at: Date.now() - claimedAgoMs,
      })
      .execute();
  }

  it("answers 409 while the claim's lease runs, and lets a retry take the claim over once it has lapsed", async () => {
    const user = await createUser(call);
    const body = { first_name: "Leased" };
    // The fingerprint of this exact request, as a first attempt stored it.
    expect((await call("PATCH", `/users/${user.id}`, body, { "idempotency-key": "lease-probe" })).status).toBe(200);
    const { request_fingerprint: fingerprint } = await claimOf("lease-probe");

    await leaveCrashedClaim("lease-fresh", fingerprint, 1000);
    const busy = await call("PATCH", `/users/${user.id}`, body, { "idempotency-key": "lease-fresh" });
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe("idempotency_key_in_progress");

    await leaveCrashedClaim("lease-stale", fingerprint, IDEMPOTENCY_CLAIM_LEASE_MS + 5000);
    const retried = await call("PATCH", `/users/${user.id}`, body, { "idempotency-key": "lease-stale" });
    expect(retried.status).toBe(200);
    expect(retried.body.first_name).toBe("Leased");
    expect((await claimOf("lease-stale")).response_status).toBe(200);
    // And a further retry replays the answer the takeover stored.
    const replayed = await call("PATCH", `/users/${user.id}`, body, { "idempotency-key": "lease-stale" });
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
  });

  it("still refuses a different request on a lapsed claim", async () => {
    const user = await createUser(call);
    await leaveCrashedClaim("lease-other", "f".repeat(64), IDEMPOTENCY_CLAIM_LEASE_MS + 5000);
    const reused = await call("PATCH", `/users/${user.id}`, { first_name: "Other" }, { "idempotency-key": "lease-other" });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe("idempotency_key_reused");
  });
});
