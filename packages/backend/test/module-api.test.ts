import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClientStore, getClient, initClient, isClientInitialized, users, WachtClient, WachtError } from "../src/index.js";
import { sendJson, startLocalServer, type LocalServer } from "./helpers/local-server.js";

// Tests here run in order: the module-level client starts unset in each test file.
const PAGE = { data: [], total: 0, has_more: false, limit: 10, offset: 0 };
const savedEnv = { key: process.env["WACHT_API_KEY"], url: process.env["WACHT_BACKEND_API_URL"] };
let server: LocalServer;
const lastAuthorization = () => server.requests.at(-1)?.headers.authorization;

beforeAll(async () => {
  server = await startLocalServer((_request, response) => sendJson(response, 200, PAGE));
});
afterEach(() => {
  restoreEnv("WACHT_API_KEY", savedEnv.key);
  restoreEnv("WACHT_BACKEND_API_URL", savedEnv.url);
});
afterAll(() => server.close());

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe("client configuration", () => {
  it("rejects (not throws) a module-style call when no client can be made", async () => {
    delete process.env["WACHT_API_KEY"];
    const pending = users.listUsers();
    await expect(pending).rejects.toMatchObject({ name: "WachtError", code: "missing_api_key" });
    expect(isClientInitialized()).toBe(false);
  });

  it("refuses to construct without an API key, saying where to put one", () => {
    delete process.env["WACHT_API_KEY"];
    expect(() => new WachtClient()).toThrow(WachtError);
    expect(() => new WachtClient()).toThrow(/WACHT_API_KEY/);
  });

  it("defaults to the environment, then to the local server", () => {
    process.env["WACHT_API_KEY"] = "wk_env";
    delete process.env["WACHT_BACKEND_API_URL"];
    expect(new WachtClient().getBaseUrl()).toBe("http://localhost:3000");
    process.env["WACHT_BACKEND_API_URL"] = "https://wacht.example.com";
    expect(new WachtClient().getBaseUrl()).toBe("https://wacht.example.com");
    expect(new WachtClient({ baseUrl: "http://127.0.0.1:1" }).getBaseUrl()).toBe("http://127.0.0.1:1");
  });

  it("rejects a relative baseUrl and a negative timeout", () => {
    expect(() => new WachtClient({ apiKey: "k", baseUrl: "/api" })).toThrow(/Invalid baseUrl/);
    expect(() => new WachtClient({ apiKey: "k", timeout: -1 })).toThrow(/Invalid timeout/);
  });

  it("does not show the API key when the client is logged", () => {
    const client = new WachtClient({ apiKey: "wk_secret_value" });
    expect(JSON.stringify(client)).not.toContain("wk_secret_value");
    expect(inspect(client, { depth: 5, showHidden: true })).not.toContain("wk_secret_value");
  });

  it("withOptions keeps the key and changes only what it is given", async () => {
    const client = new WachtClient({ apiKey: "wk_base", baseUrl: server.baseUrl }).withOptions({ timeout: 1_000 });
    await client.users.listUsers();
    expect(lastAuthorization()).toBe("Bearer wk_base");
  });

  it("registers a named client in a store", () => {
    const store = createClientStore();
    const client = new WachtClient({ apiKey: "k", name: "primary", store });
    expect(store.get("primary")).toBe(client);
    expect(store.list()).toEqual(["primary"]);
  });
});

describe("module-style calls", () => {
  it("builds the global client lazily from the environment", async () => {
    process.env["WACHT_API_KEY"] = "wk_lazy";
    process.env["WACHT_BACKEND_API_URL"] = server.baseUrl;
    await users.listUsers();
    expect(lastAuthorization()).toBe("Bearer wk_lazy");
    expect(isClientInitialized()).toBe(true);
    expect(getClient().getBaseUrl()).toBe(server.baseUrl);
  });

  it("uses the client given last, else the one from initClient", async () => {
    initClient({ apiKey: "wk_global", baseUrl: server.baseUrl });
    const mine = new WachtClient({ apiKey: "wk_mine", baseUrl: server.baseUrl });
    await users.listUsers();
    expect(lastAuthorization()).toBe("Bearer wk_global");
    await users.listUsers(undefined, mine);
    expect(lastAuthorization()).toBe("Bearer wk_mine");
    await users.listSignins("usr_1", undefined, mine);
    expect(lastAuthorization()).toBe("Bearer wk_mine");
  });

  it("client.users.listUsers() with no argument uses that client, not the global one", async () => {
    initClient({ apiKey: "wk_global", baseUrl: server.baseUrl });
    const mine = new WachtClient({ apiKey: "wk_mine", baseUrl: server.baseUrl });
    await mine.users.listUsers();
    expect(lastAuthorization()).toBe("Bearer wk_mine");
    await mine.users.listSignins("usr_1");
    expect(lastAuthorization()).toBe("Bearer wk_mine");
  });

  it("iterates users module-style", async () => {
    initClient({ apiKey: "wk_global", baseUrl: server.baseUrl });
    const seen = [];
    for await (const user of users.iterateUsers({ search: "nobody" })) seen.push(user);
    expect(seen).toEqual([]);
    expect(server.requests.at(-1)?.url).toBe("/users?search=nobody&limit=100");
  });
});
