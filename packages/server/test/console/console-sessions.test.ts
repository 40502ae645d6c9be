import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleLink } from "../../src/console/console-links.service.js";
import { createSecondDeployment } from "../helpers/fixtures.js";
import { DIALECTS } from "../helpers/dialects.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { uniqueEmail } from "../helpers/api.js";

/** A built console stand-in: the server serves whatever the directory holds. */
function fakeConsoleBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), "wacht-console-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), '<!doctype html><script type="module" src="/console/assets/index-abc123.js"></script>');
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log('console')");
  return dir;
}

interface ConsoleLogin {
  cookie: string;
  csrf: string;
  setCookie: string;
}

describe.each(DIALECTS)("admin console sessions on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(dialect, { config: { consoleDirectory: fakeConsoleBuild() } });
  });
  afterAll(async () => server?.close());

  const url = (path: string) => `${server.baseUrl}${path}`;

  async function signIn(apiKey = server.apiKey): Promise<ConsoleLogin> {
    const response = await fetch(url("/console/api/session"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ api_key: apiKey }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    const setCookie = response.headers.getSetCookie().find((line) => line.startsWith("wacht_console="))!;
    return { cookie: setCookie.split(";")[0]!, csrf: body.csrf_token, setCookie };
  }

  const createUserWith = (login: ConsoleLogin, headers: Record<string, string> = {}) =>
    fetch(url("/users"), {
      method: "POST",
      headers: { cookie: login.cookie, "content-type": "application/json", ...headers },
      body: JSON.stringify({ email_address: uniqueEmail("console"), skip_password_check: true }),
    });

  it("exchanges an API key for an HttpOnly, SameSite=Strict cookie and never returns the key", async () => {
    const response = await fetch(url("/console/api/session"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ api_key: server.apiKey }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(server.apiKey);
    const body = JSON.parse(text);
    expect(body).toMatchObject({ deployment_id: server.deploymentId, deployment_name: "default", api_key: { name: "test" } });
    expect(body.csrf_token).toMatch(/^[0-9a-f]{64}$/);
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith("wacht_console="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=1800/);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("refuses a wrong key", async () => {
    const response = await fetch(url("/console/api/session"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ api_key: "sk_wrong" }),
    });
    expect(response.status).toBe(401);
    expect((await response.json()).code).toBe("invalid_api_key");
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("reads the Backend API with the cookie and writes only with the CSRF token from the same origin", async () => {
    const login = await signIn();
    const list = await fetch(url("/users"), { headers: { cookie: login.cookie } });
    expect(list.status).toBe(200);

    const withoutToken = await createUserWith(login);
    expect(withoutToken.status).toBe(403);
    expect((await withoutToken.json()).code).toBe("csrf_failed");
    expect((await createUserWith(login, { "x-wacht-csrf": "0".repeat(64) })).status).toBe(403);
    expect((await createUserWith(login, { "x-wacht-csrf": login.csrf, origin: "https://evil.example" })).status).toBe(403);
    expect((await createUserWith(login, { "x-wacht-csrf": login.csrf, "sec-fetch-site": "cross-site" })).status).toBe(403);
    const created = await createUserWith(login, { "x-wacht-csrf": login.csrf, origin: server.baseUrl, "sec-fetch-site": "same-origin" });
    expect(created.status).toBe(200);
  });

  it("tells the console who it is, and ends at once on sign-out", async () => {
    const login = await signIn();
    const me = await fetch(url("/console/api/session"), { headers: { cookie: login.cookie } });
    expect(me.status).toBe(200);
    expect((await me.json()).csrf_token).toBe(login.csrf);

    expect((await fetch(url("/console/api/session"), { method: "DELETE", headers: { cookie: login.cookie } })).status).toBe(403);
    const signOut = await fetch(url("/console/api/session"), { method: "DELETE", headers: { cookie: login.cookie, "x-wacht-csrf": login.csrf } });
    expect(signOut.status).toBe(200);
    expect(signOut.headers.getSetCookie()[0]).toMatch(/^wacht_console=; .*Max-Age=0/);
    expect((await fetch(url("/users"), { headers: { cookie: login.cookie } })).status).toBe(401);
    expect((await fetch(url("/console/api/session"), { headers: { cookie: login.cookie } })).status).toBe(401);
  });

  it("ends when its API key is revoked, and keys are managed per deployment", async () => {
    const created = await fetch(url("/api-keys"), {
      method: "POST",
      headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "support" }),
    });
    expect(created.status).toBe(200);
    const { api_key, secret } = await created.json();
    expect(secret).toMatch(/^sk_/);
    const login = await signIn(secret);
    expect((await fetch(url("/users"), { headers: { cookie: login.cookie } })).status).toBe(200);

    const listed = await (await fetch(url("/api-keys"), { headers: { authorization: `Bearer ${server.apiKey}` } })).json();
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(listed.data.map((key: { id: string }) => key.id)).toContain(api_key.id);

    const other = (await createSecondDeployment(server, `other-${Date.now()}`)).call;
    expect((await other("POST", `/api-keys/${api_key.id}/revoke`)).status).toBe(404);
    const revoked = await fetch(url(`/api-keys/${api_key.id}/revoke`), { method: "POST", headers: { cookie: login.cookie, "x-wacht-csrf": login.csrf } });
    expect(revoked.status).toBe(200);
    expect((await fetch(url("/users"), { headers: { cookie: login.cookie } })).status).toBe(401);
  });

  it("redeems a one-time link exactly once", async () => {
    const link = await createConsoleLink(server.db, server.deploymentId, server.baseUrl);
    const first = await fetch(link.url, { redirect: "manual" });
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe("/console/");
    const cookie = first.headers
      .getSetCookie()
      .find((line) => line.startsWith("wacht_console="))!
      .split(";")[0]!;
    expect((await fetch(url("/users"), { headers: { cookie } })).status).toBe(200);
    const second = await fetch(link.url, { redirect: "manual" });
    expect(second.headers.get("location")).toBe("/console/?error=link_invalid");
    expect(second.headers.getSetCookie()).toEqual([]);
  });

  it("does not believe a duplicated cookie", async () => {
    const login = await signIn();
    const response = await fetch(url("/users"), { headers: { cookie: `${login.cookie}; ${login.cookie}` } });
    expect(response.status).toBe(401);
  });

  it("serves the console: index.html uncached under a strict CSP, hashed assets cached for a year", async () => {
    const index = await fetch(url("/console/users/usr_123"));
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    expect(index.headers.get("cache-control")).toBe("no-store");
    const csp = index.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    const asset = await fetch(url("/console/assets/index-abc123.js"));
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await fetch(url("/console/assets/missing.js"))).status).toBe(404);
    const root = await fetch(url("/console"), { redirect: "manual" });
    expect(root.status).toBe(302);
  });

  it("answers the current deployment to its key", async () => {
    const response = await fetch(url("/deployment"), { headers: { authorization: `Bearer ${server.apiKey}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: server.deploymentId, name: "default", is_default: true });
  });
});
