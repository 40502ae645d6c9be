import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createSecondDeployment } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/** An unfiltered list's `total` comes from a count the database keeps; it must equal the real count. */
describe.each(DIALECTS)("user totals on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    server = await startServer(dialect);
    ({ call } = await createSecondDeployment(server, "counted"));
  });
  afterAll(async () => server?.close());

  const total = async (api: ApiCall = call) => (await api("GET", "/users?limit=1")).body.total as number;
  const create = (email: string) => call("POST", "/users", { email_address: email, skip_password_check: true });

  it("follows creates, refused creates, concurrent creates and deletes", async () => {
    expect(await total()).toBe(0);
    const first = await create(uniqueEmail("count"));
    const second = await create(uniqueEmail("count"));
    expect(await total()).toBe(2);

    const duplicate = await create(second.body.primary_email_address);
    expect(duplicate.status).toBe(409);
    expect(await total()).toBe(2);

    const concurrent = await Promise.all(Array.from({ length: 30 }, () => create(uniqueEmail("count"))));
    expect(concurrent.every((answer) => answer.status === 200)).toBe(true);
    expect(await total()).toBe(32);

    expect((await call("DELETE", `/users/${first.body.id}`)).status).toBe(200);
    expect(await total()).toBe(31);
    // The same figure a filter-free COUNT(*) gives, and the default deployment is counted apart.
    const rows = await server.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("deployment_id", "<>", server.deploymentId)
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(31);
    expect(await total(apiClient(server.baseUrl, server.apiKey))).toBe(0);
  });
});
