import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOauthEnvironment, applyOauthEnvironment } from "../../src/oauth-providers/oauth-environment.js";
import { apiClient, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { RFC3339_UTC, createSecondDeployment } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const PROVIDER_FIELDS = ["provider", "client_id", "issuer", "scopes", "enabled", "has_client_secret", "created_at", "updated_at"].sort();
const SECRET = "s3cret-value-that-must-never-leave";

describe.each(DIALECTS)("OAuth providers and settings on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  it("configures a provider; no answer ever carries the client secret, and the database holds it sealed", async () => {
    const created = await call("POST", "/oauth-providers", { provider: "github_oauth", client_id: "gh-client", client_secret: SECRET });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body).sort()).toEqual(PROVIDER_FIELDS);
    expect(created.body).toMatchObject({
      provider: "github_oauth",
      client_id: "gh-client",
      issuer: "https://github.com",
      scopes: ["read:user", "user:email"],
      enabled: true,
      has_client_secret: true,
    });
    expect(created.body.created_at).toMatch(RFC3339_UTC);

    const answers = [
      created,
      await call("GET", "/oauth-providers"),
      await call("GET", "/oauth-providers/github_oauth"),
      await call("PATCH", "/oauth-providers/github_oauth", { client_secret: `${SECRET}-2`, scopes: ["read:user"] }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain(SECRET);
    }
    expect(answers[1]!.body).toMatchObject({ has_more: false, data: [expect.objectContaining({ provider: "github_oauth" })] });
    expect(answers[3]!.body.scopes).toEqual(["read:user"]);

    const row = await server.db.selectFrom("oauth_providers").selectAll().where("provider", "=", "github_oauth").executeTakeFirstOrThrow();
    expect(row.client_secret_sealed).toMatch(/^ws1\./);
    expect(row.client_secret_sealed).not.toContain(SECRET);
    expect(server.app.secretBox.open(row.client_secret_sealed, `oauth_providers.client_secret:${row.id}`)).toBe(`${SECRET}-2`);

    expect((await call("DELETE", "/oauth-providers/github_oauth")).body).toEqual({});
    expect((await call("GET", "/oauth-providers/github_oauth")).status).toBe(404);
    expect((await call("DELETE", "/oauth-providers/github_oauth")).body.code).toBe("oauth_provider_not_found");
  });

  it("knows Google, Microsoft and Apple issuers, needs an issuer for oidc_<slug>, and refuses unknown names", async () => {
    const google = await call("POST", "/oauth-providers", { provider: "google_oauth", client_id: "g", client_secret: "x" });
    expect(google.body).toMatchObject({ issuer: "https://accounts.google.com", scopes: ["openid", "email", "profile"] });
    const microsoft = await call("POST", "/oauth-providers", { provider: "microsoft_oauth", client_id: "m", client_secret: "x" });
    expect(microsoft.body.issuer).toBe("https://login.microsoftonline.com/common/v2.0");
    const apple = await call("POST", "/oauth-providers", { provider: "apple_oauth", client_id: "a", client_secret: "x", enabled: false });
    expect(apple.body).toMatchObject({ issuer: "https://appleid.apple.com", enabled: false });

    const noIssuer = await call("POST", "/oauth-providers", { provider: "oidc_acme", client_id: "c", client_secret: "x" });
    expect(noIssuer.status).toBe(400);
    expect(noIssuer.body.details).toHaveProperty("issuer");
    const custom = await call("POST", "/oauth-providers", { provider: "oidc_acme", client_id: "c", client_secret: "x", issuer: "https://id.acme.test/" });
    expect(custom.body).toMatchObject({ provider: "oidc_acme", issuer: "https://id.acme.test" });

    const duplicate = await call("POST", "/oauth-providers", { provider: "oidc_acme", client_id: "c", client_secret: "x", issuer: "https://id.acme.test" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe("oauth_provider_exists");

    for (const [body, field] of [
      [{ provider: "facebook", client_id: "c", client_secret: "x" }, "provider"],
      [{ provider: "oidc_Bad-Name", client_id: "c", client_secret: "x", issuer: "https://x.test" }, "provider"],
      [{ provider: "oidc_plain", client_id: "c", client_secret: "x", issuer: "http://id.example.com" }, "issuer"],
      [{ provider: "oidc_plain", client_id: "c", client_secret: "x", issuer: "https://id.example.com?x=1" }, "issuer"],
      [{ provider: "oidc_plain", client_id: "c", client_secret: "x", issuer: "https://id.example.com", scopes: ["email"] }, "scopes"],
      [{ provider: "oidc_plain", client_id: "c", client_secret: " padded ", issuer: "https://id.example.com" }, "client_secret"],
    ] as const) {
      const refused = await call("POST", "/oauth-providers", body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.details, JSON.stringify(body)).toHaveProperty(field);
    }
    const missingSecret = await call("POST", "/oauth-providers", { provider: "oidc_plain", client_id: "c", issuer: "https://id.example.com" });
    expect(missingSecret.status).toBe(400);

    const reset = await call("PATCH", "/oauth-providers/google_oauth", { issuer: "http://127.0.0.1:9/" });
    expect(reset.body.issuer).toBe("http://127.0.0.1:9");
    expect((await call("PATCH", "/oauth-providers/google_oauth", { issuer: null })).body.issuer).toBe("https://accounts.google.com");
    for (const name of ["google_oauth", "microsoft_oauth", "apple_oauth", "oidc_acme"]) await call("DELETE", `/oauth-providers/${name}`);
  });

  it("keeps each deployment's providers and settings to itself", async () => {
    const second = await createSecondDeployment(server, `oauth-${dialect}`);
    await second.call("POST", "/oauth-providers", { provider: "oidc_theirs", client_id: "c", client_secret: "x", issuer: "https://id.example.com" });
    await second.call("PATCH", "/oauth-settings", { allow_sign_up: false });
    expect((await call("GET", "/oauth-providers/oidc_theirs")).status).toBe(404);
    expect((await call("GET", "/oauth-providers")).body.data.map((p: any) => p.provider)).not.toContain("oidc_theirs");
    expect((await call("GET", "/oauth-settings")).body.allow_sign_up).toBe(true);
    expect((await second.call("GET", "/oauth-settings")).body.allow_sign_up).toBe(false);
  });

  it("has settings: sign-up through OAuth on by default, and a redirect allow-list of exact URLs", async () => {
    const second = await createSecondDeployment(server, `settings-${dialect}`);
    expect((await second.call("GET", "/oauth-settings")).body).toEqual({ redirect_urls: [], allow_sign_up: true });
    const changed = await second.call("PATCH", "/oauth-settings", {
      redirect_urls: ["https://app.example.com/after-sign-in", "http://localhost:5173/cb", "https://app.example.com/after-sign-in"],
    });
    expect(changed.body).toEqual({ redirect_urls: ["https://app.example.com/after-sign-in", "http://localhost:5173/cb"], allow_sign_up: true });
    for (const bad of [
      "/relative",
      "http://app.example.com/plain-http",
      "https://user:pw@app.example.com/",
      "https://app.example.com/x#frag",
      "javascript:alert(1)",
    ]) {
      const refused = await second.call("PATCH", "/oauth-settings", { redirect_urls: [bad] });
      expect(refused.status, bad).toBe(400);
      expect(refused.body.details, bad).toHaveProperty("redirect_urls[0]");
    }
    expect((await second.call("GET", "/oauth-settings")).body.redirect_urls).toHaveLength(2);
  });

  it("writes WACHT_OAUTH_* providers and settings to the default deployment, secrets sealed", async () => {
    const environment = readOauthEnvironment({
      WACHT_OAUTH_GOOGLE_CLIENT_ID: "env-google",
      WACHT_OAUTH_GOOGLE_CLIENT_SECRET: "env-google-secret",
      WACHT_OAUTH_OIDC_CORP_CLIENT_ID: "env-corp",
      WACHT_OAUTH_OIDC_CORP_CLIENT_SECRET: "env-corp-secret",
      WACHT_OAUTH_OIDC_CORP_ISSUER: "https://sso.corp.example",
      WACHT_OAUTH_OIDC_CORP_SCOPES: "openid,email",
      WACHT_OAUTH_REDIRECT_URLS: "https://app.example.com/done, http://127.0.0.1:3000/done",
    });
    expect(() => readOauthEnvironment({ WACHT_OAUTH_GITHUB_CLIENT_ID: "x" })).toThrow(/WACHT_OAUTH_GITHUB_CLIENT_SECRET/);
    await applyOauthEnvironment(server.db, server.app.secretBox, server.deploymentId, environment);
    await applyOauthEnvironment(server.db, server.app.secretBox, server.deploymentId, environment); // every start: no duplicate
    const listed = (await call("GET", "/oauth-providers")).body.data;
    expect(listed.find((p: any) => p.provider === "google_oauth")).toMatchObject({ client_id: "env-google", issuer: "https://accounts.google.com" });
    expect(listed.find((p: any) => p.provider === "oidc_corp")).toMatchObject({
      client_id: "env-corp",
      issuer: "https://sso.corp.example",
      scopes: ["openid", "email"],
    });
    expect(JSON.stringify(listed)).not.toContain("env-google-secret");
    expect((await call("GET", "/oauth-settings")).body.redirect_urls).toEqual(["https://app.example.com/done", "http://127.0.0.1:3000/done"]);
    await call("DELETE", "/oauth-providers/google_oauth");
    await call("DELETE", "/oauth-providers/oidc_corp");
  });
});

describe("social sign-in starts are rate-limited per address", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer("sqlite", { config: { signInRateLimitMax: 2 } });
    const call = apiClient(server.baseUrl, server.apiKey);
    await call("POST", "/oauth-providers", { provider: "github_oauth", client_id: "c", client_secret: "s", issuer: "http://127.0.0.1:9" });
    await call("PATCH", "/oauth-settings", { redirect_urls: ["http://127.0.0.1:9/done"] });
  });
  afterAll(async () => server?.close());

  it("answers 429 with Retry-After once the address used its allowance", async () => {
    const start = () =>
      fetch(`${server.baseUrl}/oauth/github_oauth/start?redirect_url=${encodeURIComponent("http://127.0.0.1:9/done")}`, { redirect: "manual" });
    expect((await start()).status).toBe(302);
    expect((await start()).status).toBe(302);
    const limited = await start();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await limited.json()) as { code: string }).code).toBe("rate_limited");
  });
});
