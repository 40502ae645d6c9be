import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, uniquePhone, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createSecondDeployment, createUser } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/** Every Backend API write appends an audit entry in its transaction: who, what, from where, which fields. */
describe.each(DIALECTS)("the audit log on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let keyId: string;

  /** Runs a write, asserts it succeeded, and returns its x-request-id. */
  async function write(method: string, path: string, body?: unknown): Promise<{ requestId: string; body: any }> {
    const answer = await call(method, path, body);
    expect([method, path, answer.status]).toEqual([method, path, 200]);
    return { requestId: answer.headers.get("x-request-id")!, body: answer.body };
  }

  const entriesOfUser = async (userId: string) => (await call("GET", `/audit-logs?user_id=${userId}&limit=100`)).body.data as any[];

  beforeAll(async () => {
    server = await startServer(dialect, { config: { webhookAllowPrivateNetworks: true } });
    call = apiClient(server.baseUrl, server.apiKey);
    keyId = (await server.db.selectFrom("api_keys").select("id").where("deployment_id", "=", server.deploymentId).executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => server?.close());

  it("records every user write route, newest first, with the key as actor, the request id, the address and field names only", async () => {
    const email = uniqueEmail("audit");
    const created = await write("POST", "/users", {
      first_name: "Ada",
      email_address: email,
      password: GOOD_PASSWORD,
      private_metadata: { ssn: "123-45-6789" },
    });
    const userId = created.body.id;
    const steps: Array<[string, string, unknown, string, string[]]> = [
      ["PATCH", `/users/${userId}`, { last_name: "Lovelace", public_metadata: { secret_plan: "x" } }, "user.update", ["last_name", "public_metadata"]],
      ["PATCH", `/users/${userId}/password`, { new_password: "a different good passphrase 9" }, "password.update", ["password"]],
      ["DELETE", `/users/${userId}/password`, undefined, "password.remove", ["password"]],
      ["POST", `/users/${userId}/emails`, { email: uniqueEmail("second"), verified: true }, "email.create", ["email", "verified"]],
      [
        "POST",
        `/users/${userId}/phones`,
        { phone_number: uniquePhone(), country_code: "US", verified: true },
        "phone.create",
        ["phone_number", "country_code", "verified"],
      ],
      [
        "POST",
        `/users/${userId}/social-connections`,
        { provider: "google_oauth", provider_user_id: `g-${userId}` },
        "social_connection.create",
        ["provider", "provider_user_id"],
      ],
      ["POST", `/users/${userId}/unlock`, undefined, "user.unlock", ["locked_until"]],
      ["POST", `/users/${userId}/sessions/revoke-all`, undefined, "session.revoke_all", []],
    ];
    const requestIds = [created.requestId];
    const bodies: any[] = [];
    for (const [method, path, body, ,] of steps) {
      const done = await write(method, path, body);
      requestIds.push(done.requestId);
      bodies.push(done.body);
    }
    const [emailBody, phoneBody, connectionBody] = [bodies[3], bodies[4], bodies[5]];
    const more: Array<[string, string, unknown, string]> = [
      ["PATCH", `/users/${userId}/emails/${emailBody.id}`, { verified: true }, "email.update"],
      ["POST", `/users/${userId}/emails/${emailBody.id}/make-primary`, undefined, "email.make_primary"],
      ["PATCH", `/users/${userId}/phones/${phoneBody.id}`, { verified: true }, "phone.update"],
      ["POST", `/users/${userId}/phones/${phoneBody.id}/make-primary`, undefined, "phone.make_primary"],
      ["DELETE", `/users/${userId}/phones/${phoneBody.id}`, undefined, "phone.delete"],
      ["DELETE", `/users/${userId}/social-connections/${connectionBody.id}`, undefined, "social_connection.delete"],
    ];
    for (const [method, path, body] of more) requestIds.push((await write(method, path, body)).requestId);
    const oldEmailId = (await call("GET", `/users/${userId}/details`)).body.email_addresses.find((e: any) => e.id !== emailBody.id).id;
    requestIds.push((await write("DELETE", `/users/${userId}/emails/${oldEmailId}`)).requestId);

    const entries = await entriesOfUser(userId);
    const actions = ["user.create", ...steps.map((step) => step[3]), ...more.map((step) => step[3]), "email.delete"];
    expect(entries.map((entry) => entry.action)).toEqual([...actions].reverse());
    expect(entries.map((entry) => entry.request_id)).toEqual([...requestIds].reverse());
    for (const entry of entries) {
      expect(entry).toMatchObject({ deployment_id: server.deploymentId, actor: { type: "api_key", id: keyId, name: "test" }, ip_address: "127.0.0.1" });
    }
    const byAction = new Map(entries.map((entry) => [entry.action, entry]));
    expect(byAction.get("user.create")).toMatchObject({ target: { type: "user", id: userId } });
    expect(byAction.get("user.create")!.changes).toEqual(expect.arrayContaining(["first_name", "email_address", "password", "private_metadata"]));
    for (const [, , , action, changes] of steps) expect([action, byAction.get(action)!.changes]).toEqual([action, changes]);
    expect(byAction.get("email.make_primary")).toMatchObject({ target: { type: "email", id: emailBody.id } });
    expect(byAction.get("phone.delete")).toMatchObject({ target: { type: "phone", id: phoneBody.id } });

    const everything = JSON.stringify(entries);
    for (const secret of [GOOD_PASSWORD, "a different good passphrase 9", "123-45-6789", "secret_plan", server.apiKey, "$argon2"])
      expect(everything).not.toContain(secret);

    expect((await write("DELETE", `/users/${userId}`)).body).toEqual({});
    expect((await entriesOfUser(userId))[0]).toMatchObject({ action: "user.delete", target: { type: "user", id: userId }, changes: [] });
  });

  it("records revoking one session", async () => {
    const user = await createUser(call);
    const signedIn = await frontendClient(server.baseUrl).signIn(user.primary_email_address, GOOD_PASSWORD);
    await write("POST", `/users/${user.id}/sessions/${signedIn.body.session_id}/revoke`);
    expect((await entriesOfUser(user.id))[0]).toMatchObject({ action: "session.revoke", target: { type: "session", id: signedIn.body.session_id } });
  });

  it("records webhook configuration changes without the signing secret", async () => {
    const app = await write("POST", "/webhooks/apps", { app_slug: "audited", name: "Audited" });
    await write("POST", "/webhooks/apps/audited/rotate-secret");
    const entries = (await call("GET", "/audit-logs?action=webhook_app.rotate_secret")).body.data;
    expect(entries[0]).toMatchObject({ action: "webhook_app.rotate_secret", target: { type: "webhook_app" }, changes: ["signing_secret"] });
    const all = JSON.stringify((await call("GET", "/audit-logs?limit=100")).body);
    expect(all).not.toContain(app.body.signing_secret);
    expect(all).not.toContain("whsec_");
  });

  it("filters by action, actor and time, and pages with starting_after", async () => {
    const users = [];
    for (let i = 0; i < 5; i++) users.push(await createUser(call, { first_name: `Page${i}` }));
    const since = (await call("GET", `/audit-logs?user_id=${users[0].id}`)).body.data[0].created_at;
    const first = await call("GET", `/audit-logs?action=user.create&since=${encodeURIComponent(since)}&limit=2`);
    expect(first.body.data.map((e: any) => e.target.id)).toEqual([users[4].id, users[3].id]);
    expect(first.body.has_more).toBe(true);
    const second = await call("GET", `/audit-logs?action=user.create&since=${encodeURIComponent(since)}&limit=2&starting_after=${first.body.data[1].id}`);
    expect(second.body.data.map((e: any) => e.target.id)).toEqual([users[2].id, users[1].id]);
    const third = await call("GET", `/audit-logs?action=user.create&since=${encodeURIComponent(since)}&limit=2&starting_after=${second.body.data[1].id}`);
    expect(third.body).toEqual({ data: [expect.objectContaining({ target: { type: "user", id: users[0].id } })], has_more: false });

    expect((await call("GET", `/audit-logs?actor_id=${keyId}&limit=1`)).body.data).toHaveLength(1);
    expect((await call("GET", "/audit-logs?actor_id=key_nobody")).body.data).toEqual([]);
    expect((await call("GET", "/audit-logs?until=2000-01-01T00:00:00Z")).body.data).toEqual([]);

    const tooMany = await call("GET", "/audit-logs?limit=101");
    expect([tooMany.status, Object.keys(tooMany.body.details ?? {})]).toEqual([400, ["limit"]]);
    const badDate = await call("GET", "/audit-logs?since=last-tuesday");
    expect([badDate.status, badDate.body.details]).toEqual([400, { since: expect.stringContaining("RFC 3339") }]);
  });

  it("keeps deployments apart and records nothing for a refused write", async () => {
    const other = await createSecondDeployment(server, "audit-other");
    const user = await createUser(other.call);
    expect((await call("GET", `/audit-logs?user_id=${user.id}`)).body.data).toEqual([]);
    expect((await other.call("GET", `/audit-logs?user_id=${user.id}`)).body.data.map((e: any) => e.action)).toEqual(["user.create"]);

    const refused = await call("PATCH", `/users/${user.id}`, { first_name: "x" });
    expect(refused.status).toBe(404);
    const taken = await createUser(call);
    expect((await call("POST", `/users/${taken.id}/emails`, { email: taken.primary_email_address })).status).toBe(409);
    expect((await entriesOfUser(taken.id)).map((e) => e.action)).toEqual(["user.create"]);
  });
});
