/*
 * The reference page's examples (shared/seed), word for word, in an order where
 * each finds what it needs: the page's literal ids (usr_abc123, conn_github_456)
 * are mapped by a small proxy to the user and connection this test creates.
 * The import is the package's own name, so this runs the built package.
 */
import { WachtClient } from "@wacht/backend";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startIdMappingProxy } from "./helpers/id-mapping-proxy.js";
import type { LocalServer } from "./helpers/local-server.js";
import { startRealServer, type RealServer } from "./helpers/real-server.js";

let server: RealServer;
let proxy: LocalServer;
const ids = new Map<string, string>();
const savedEnv = { key: process.env["WACHT_API_KEY"], url: process.env["WACHT_BACKEND_API_URL"] };
let client: WachtClient;
const logged = vi.spyOn(console, "log");

beforeAll(async () => {
  server = await startRealServer();
  proxy = await startIdMappingProxy(server.baseUrl, ids);
  process.env["WACHT_API_KEY"] = server.apiKey;
  process.env["WACHT_BACKEND_API_URL"] = proxy.baseUrl;
}, 60_000);

afterAll(async () => {
  for (const [name, value] of Object.entries({ WACHT_API_KEY: savedEnv.key, WACHT_BACKEND_API_URL: savedEnv.url })) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  logged.mockRestore();
  await proxy?.close();
  await server?.close();
});

describe("the reference page's examples", () => {
  it("constructs the client from the environment", () => {
    client = new WachtClient({ apiKey: process.env.WACHT_API_KEY });
  });

  it("createUser(request)", async () => {
    const newUser = await client.users.createUser({
      first_name: "Alice",
      last_name: "Smith",
      email_address: "alice@example.com",
      password: "secure_placeholder",
      public_metadata: { role: "superuser" },
    });

    expect(newUser).toMatchObject({ first_name: "Alice", primary_email_address: "alice@example.com" });
    ids.set("usr_abc123", newUser.id);
  });

  it("listUsers()", async () => {
    const response = await client.users.listUsers({
      limit: 10,
      offset: 0,
    });

    console.log(`Found ${response.data.length} users.`);
    expect(logged).toHaveBeenLastCalledWith("Found 1 users.");
  });

  it("getUser(userId)", async () => {
    const user = await client.users.getUser("usr_abc123");
    console.log(user.first_name);
    expect(logged).toHaveBeenLastCalledWith("Alice");
    expect(user.public_metadata).toEqual({ role: "superuser" });
  });

  it("getUserByEmail(email)", async () => {
    const user = await client.users.getUserByEmail("alice@example.com");
    expect(user.id).toBe(ids.get("usr_abc123"));
  });

  it("updateUser(userId, request)", async () => {
    const updatedUser = await client.users.updateUser("usr_abc123", {
      first_name: "Alicia",
      private_metadata: { internal_crm_id: "crm_98765" },
    });
    expect(updatedUser).toMatchObject({ first_name: "Alicia", private_metadata: { internal_crm_id: "crm_98765" } });
  });

  it("the identifier methods", async () => {
    const userId = "usr_abc123";
    const email = await client.users.addEmail(userId, { email: "alice.smith@example.com" });
    await client.users.updateEmail(userId, email.id, { verified: true });
    expect((await client.users.listEmails(userId)).map((entry) => entry.email).sort()).toEqual(["alice.smith@example.com", "alice@example.com"]);
    await client.users.deleteEmail(userId, email.id);

    const phone = await client.users.addPhone(userId, { phone_number: "+14155550123", country_code: "US" });
    await client.users.updatePhone(userId, phone.id, { verified: true });
    expect(await client.users.listPhones(userId)).toEqual([expect.objectContaining({ id: phone.id, verified: true })]);
    await client.users.deletePhone(userId, phone.id);
  });

  it("updatePassword(userId, request)", async () => {
    await client.users.updatePassword("usr_abc123", {
      new_password: "NewSecurePassword123!",
    });
    expect((await client.users.getUser("usr_abc123")).has_password).toBe(true);
  });

  it("deleteSocialConnection(userId, connectionId)", async () => {
    const linked = await client.users.linkSocialConnection("usr_abc123", { provider: "github_oauth", provider_user_id: "456" });
    ids.set("conn_github_456", linked.id);

    await client.users.deleteSocialConnection("usr_abc123", "conn_github_456");
    expect(await client.users.listSocialConnections("usr_abc123")).toEqual([]);
  });

  it("deleteUser(userId)", async () => {
    await client.users.deleteUser("usr_abc123");
    await expect(client.users.getUser("usr_abc123")).rejects.toMatchObject({ name: "NotFoundError" });
  });
});
