import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createSecondDeployment, createUser, getDetails } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const uniqueExternalId = (label = "ext") => `${label}_${Math.random().toString(36).slice(2, 12)}`;

describe.each(DIALECTS)("external ids on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  it("is null when unset, in the User and the details shapes", async () => {
    const user = await createUser(call);
    expect(user.external_id).toBeNull();
    expect((await getDetails(call, user.id)).external_id).toBeNull();
  });

  it("is set on create (JSON), returned byte-exact, and filtered exactly", async () => {
    const externalId = `Auth0|${uniqueExternalId()}`;
    const user = await createUser(call, { external_id: externalId });
    expect(user.external_id).toBe(externalId);
    expect((await getDetails(call, user.id)).external_id).toBe(externalId);

    const found = await call("GET", `/users?external_id=${encodeURIComponent(externalId)}`);
    expect(found.status).toBe(200);
    expect(found.body.data.map((u: any) => u.id)).toEqual([user.id]);
    expect(found.body.total).toBe(1);
    // Exact, not case-folded: ids of other systems may differ only by case.
    const folded = await call("GET", `/users?external_id=${encodeURIComponent(externalId.toLowerCase())}`);
    expect(folded.body.data).toEqual([]);
  });

  it("filters on several values (repeatable) and combines with other filters", async () => {
    const [a, b] = [uniqueExternalId("a"), uniqueExternalId("b")];
    const first = await createUser(call, { external_id: a });
    const second = await createUser(call, { external_id: b });
    await createUser(call, { external_id: uniqueExternalId("c") });
    const both = await call("GET", `/users?external_id=${a}&external_id=${b}&sort_order=asc`);
    expect(both.body.data.map((u: any) => u.id)).toEqual([first.id, second.id]);
    const narrowed = await call("GET", `/users?external_id=${a}&external_id=${b}&user_id=${second.id}`);
    expect(narrowed.body.data.map((u: any) => u.id)).toEqual([second.id]);
  });

  it("is set through multipart as the published client sends it", async () => {
    const form = new FormData();
    const externalId = uniqueExternalId("form");
    form.append("first_name", "Form");
    form.append("email_address", uniqueEmail("form"));
    form.append("skip_password_check", "true");
    form.append("external_id", externalId);
    const created = await call("POST", "/users", form);
    expect(created.status).toBe(200);
    expect(created.body.external_id).toBe(externalId);

    const update = new FormData();
    const next = uniqueExternalId("form2");
    update.append("external_id", next);
    const updated = await call("PATCH", `/users/${created.body.id}`, update);
    expect(updated.status).toBe(200);
    expect(updated.body.external_id).toBe(next);
  });

  it("is changed and removed on update (JSON)", async () => {
    const user = await createUser(call, { external_id: uniqueExternalId() });
    const next = uniqueExternalId("next");
    const changed = await call("PATCH", `/users/${user.id}`, { external_id: next });
    expect(changed.status).toBe(200);
    expect(changed.body.external_id).toBe(next);
    const removed = await call("PATCH", `/users/${user.id}`, { external_id: null });
    expect(removed.status).toBe(200);
    expect(removed.body.external_id).toBeNull();
    expect((await call("GET", `/users?external_id=${next}`)).body.data).toEqual([]);
  });

  it("answers 409 external_id_taken for a taken id, on create and update, and writes nothing", async () => {
    const externalId = uniqueExternalId("taken");
    await createUser(call, { external_id: externalId });
    const email = uniqueEmail("loser");
    const duplicate = await call("POST", "/users", { email_address: email, skip_password_check: true, external_id: externalId });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe("external_id_taken");
    expect(duplicate.body.details).toHaveProperty("external_id");
    expect((await call("GET", `/users?email_address=${email}`)).body.total).toBe(0);

    const other = await createUser(call);
    const clash = await call("PATCH", `/users/${other.id}`, { external_id: externalId });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe("external_id_taken");
    expect((await getDetails(call, other.id)).external_id).toBeNull();
  });

  it("is unique per deployment only", async () => {
    const externalId = uniqueExternalId("tenant");
    await createUser(call, { external_id: externalId });
    const second = await createSecondDeployment(server, `ext-${dialect}`);
    const elsewhere = await createUser(second.call, { external_id: externalId });
    expect(elsewhere.external_id).toBe(externalId);
    expect((await second.call("GET", `/users?external_id=${externalId}`)).body.data.map((u: any) => u.id)).toEqual([elsewhere.id]);
  });

  it("refuses an empty or over-long id, naming the field", async () => {
    for (const externalId of ["", "x".repeat(256)]) {
      const response = await call("POST", "/users", { email_address: uniqueEmail(), skip_password_check: true, external_id: externalId });
      expect(response.status).toBe(400);
      expect(response.body.details).toHaveProperty("external_id");
    }
    const longestId = (uniqueExternalId() + "y".repeat(255)).slice(0, 255);
    const longest = await createUser(call, { external_id: longestId });
    expect(longest.external_id).toHaveLength(255);
  });
});
