import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WachtClient } from "wacht-published";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { TestBrowser } from "../helpers/browser.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser, getDetails } from "../helpers/fixtures.js";
import { startGithubServer, type GithubTestServer } from "../helpers/github-server.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const APP_URL = "http://localhost:9/signed-in";
let nextGithubId = 1000;

describe.each(DIALECTS)("GitHub-style OAuth 2.0 sign-in on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let github: GithubTestServer;
  let published: WachtClient;
  /**
   * Postgres only: a second instance on the same database, started before any request (a slow
   * start between requests can idle keep-alive sockets past the servers' 5 s).
   */
  let secondInstance: TestServer | undefined;
  const isApp = (url: URL) => url.origin === new URL(APP_URL).origin;

  beforeAll(async () => {
    server = await startServer(dialect);
    if (dialect === "postgres") secondInstance = await startServer(dialect, { databaseUrl: server.databaseUrl });
    call = apiClient(server.baseUrl, server.apiKey);
    published = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
    github = await startGithubServer();
    const configured = await call("POST", "/oauth-providers", {
      provider: "github_oauth",
      client_id: github.clientId,
      client_secret: github.clientSecret,
      issuer: github.baseUrl,
    });
    expect(configured.body).toMatchObject({ provider: "github_oauth", issuer: github.baseUrl, scopes: ["read:user", "user:email"] });
    await call("PATCH", "/oauth-settings", { redirect_urls: [APP_URL] });
  });
  afterAll(async () => {
    await secondInstance?.close();
    await github?.close();
    await server?.close();
  });

  const startUrl = (query: Record<string, string> = {}) =>
    `${server.baseUrl}/oauth/github_oauth/start?${new URLSearchParams({ redirect_url: APP_URL, ...query })}`;
  async function signIn(browser: TestBrowser, query: Record<string, string> = {}): Promise<URL> {
    const { stoppedAt, hop } = await browser.navigate(startUrl(query), isApp);
    if (!stoppedAt) throw new Error(`the sign-in did not return to the app: ${hop.status} ${hop.body.slice(0, 300)}`);
    return stoppedAt;
  }
  const newGithubUser = (emails: { email: string; verified: boolean; primary: boolean }[], extra: { publicEmail?: string } = {}) =>
    github.addUser({ id: nextGithubId++, login: `octo${nextGithubId}`, name: "Mona Lisa Octocat", emails, ...extra });
  const usersWithEmail = async (email: string) => (await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.data as any[];
  /** A GitHub user signed in through the flow: the Wacht user it made and that user's connection. */
  async function signedInGithubUser(label: string) {
    const email = uniqueEmail(label);
    const octo = newGithubUser([{ email, verified: true, primary: true }]);
    github.signInNextAs(octo.id);
    await signIn(new TestBrowser());
    const [user] = await usersWithEmail(email);
    const [connection] = await published.users.listSocialConnections(user.id);
    return { octo, user, connection: connection! };
  }
  const expireProviderToken = (connectionId: string) =>
    server.db
      .updateTable("oauth_tokens")
      .set({ expires_at: Date.now() - 1 })
      .where("connection_id", "=", connectionId)
      .execute();

  it("signs up with the primary verified address from /user/emails, and sends state and PKCE to the authorize endpoint", async () => {
    const email = uniqueEmail("octo");
    const octo = newGithubUser([
      { email: uniqueEmail("unverified"), verified: false, primary: false },
      { email, verified: true, primary: true },
    ]);
    github.signInNextAs(octo.id);
    const browser = new TestBrowser();
    const first = await browser.request(startUrl());
    const authorize = new URL(first.location!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${github.baseUrl}/login/oauth/authorize`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("scope")).toBe("read:user user:email");
    expect(authorize.searchParams.has("nonce")).toBe(false);

    const { stoppedAt } = await browser.navigate(first.location!, isApp);
    expect(stoppedAt!.href).toBe(APP_URL);
    expect(browser.cookie(server.baseUrl, "__session")).toMatch(/^ses_/);
    const [user] = await usersWithEmail(email);
    expect(user).toMatchObject({ first_name: "Mona", last_name: "Lisa Octocat", primary_email_address: email });
    const connections = await published.users.listSocialConnections(user.id);
    expect(connections).toEqual([expect.objectContaining({ provider: "github_oauth", provider_user_id: String(octo.id), email_address: email })]);
    expect((await getDetails(call, user.id)).email_addresses[0].verification_strategy).toBe("oauth_github");

    github.signInNextAs(octo.id);
    await signIn(new TestBrowser());
    expect(await usersWithEmail(email)).toHaveLength(1);
    expect((await call("GET", `/users/${user.id}/sessions`)).body.data).toHaveLength(2);
  });

  it("never trusts an unverified address, not even the public profile email of a user's verified address", async () => {
    const victimEmail = uniqueEmail("victim");
    const victim = await createUser(call, { email_address: victimEmail });
    const attacker = newGithubUser([{ email: victimEmail, verified: false, primary: true }], { publicEmail: victimEmail });
    github.signInNextAs(attacker.id);
    const browser = new TestBrowser();
    expect((await signIn(browser)).searchParams.get("error")).toBe("oauth_email_not_verified");
    expect(browser.cookie(server.baseUrl, "__session")).toBeUndefined();
    expect((await getDetails(call, victim.id)).social_connections).toEqual([]);
    expect(await usersWithEmail(victimEmail)).toHaveLength(1);
  });

  it("links by a verified address to the user who verified it", async () => {
    const email = uniqueEmail("linked");
    const user = await createUser(call, { email_address: email });
    const octo = newGithubUser([{ email, verified: true, primary: true }]);
    github.signInNextAs(octo.id);
    expect((await signIn(new TestBrowser())).href).toBe(APP_URL);
    expect((await published.users.listSocialConnections(user.id)).map((c) => c.provider)).toEqual(["github_oauth"]);
  });

  it("reports denied consent and a provider that went down mid-sign-in", async () => {
    github.denyNext();
    expect((await signIn(new TestBrowser())).searchParams.get("error")).toBe("access_denied");

    const octo = newGithubUser([{ email: uniqueEmail("down"), verified: true, primary: true }]);
    github.signInNextAs(octo.id);
    const browser = new TestBrowser();
    const { stoppedAt: callback } = await browser.navigate(startUrl(), (next) => next.pathname.endsWith("/callback"));
    github.setDown(true);
    try {
      const answer = await browser.request(callback!.href);
      expect(answer.status).toBe(302);
      expect(new URL(answer.location!).searchParams.get("error")).toBe("provider_unavailable");
    } finally {
      github.setDown(false);
    }
  });

  it("refreshes an expiring GitHub token when the app asks for it, and the unlink of the published client removes the connection", async () => {
    github.issueExpiringTokens(3600);
    try {
      const { octo, user, connection } = await signedInGithubUser("expiring");
      const path = `/users/${user.id}/social-connections/${connection.id}/access-token`;
      const fresh = await call("GET", path);
      expect(fresh.body).toMatchObject({ provider: "github_oauth", token_type: "bearer" });
      expect(github.refreshCount()).toBe(0);

      await expireProviderToken(connection.id);
      const refreshed = await call("GET", path);
      expect(github.refreshCount()).toBe(1);
      expect(refreshed.body.access_token).not.toBe(fresh.body.access_token);
      const me = await fetch(`${github.baseUrl}/user`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
      expect(((await me.json()) as any).id).toBe(octo.id);

      await published.users.deleteSocialConnection(user.id, connection.id);
      expect(await published.users.listSocialConnections(user.id)).toEqual([]);
      expect((await call("GET", path)).status).toBe(404);
    } finally {
      github.issueExpiringTokens(null as unknown as number);
    }
  });

  it("refreshes an expired token once for five concurrent asks (GitHub rotates refresh tokens); all five get the new token", async () => {
    github.issueExpiringTokens(3600);
    try {
      const { octo, user, connection } = await signedInGithubUser("concurrent");
      await expireProviderToken(connection.id);
      const refreshesBefore = github.refreshCount();

      const answers = await Promise.all(Array.from({ length: 5 }, () => call("GET", `/users/${user.id}/social-connections/${connection.id}/access-token`)));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(github.refreshCount() - refreshesBefore).toBe(1);
      const tokens = new Set(answers.map((answer) => answer.body.access_token));
      expect(tokens.size).toBe(1);
      const me = await fetch(`${github.baseUrl}/user`, { headers: { authorization: `Bearer ${[...tokens][0]}` } });
      expect(((await me.json()) as any).id).toBe(octo.id);
      // The rotated refresh token was stored: the next expiry refreshes again, with it.
      await expireProviderToken(connection.id);
      expect((await call("GET", `/users/${user.id}/social-connections/${connection.id}/access-token`)).status).toBe(200);
      expect(github.refreshCount() - refreshesBefore).toBe(2);
    } finally {
      github.issueExpiringTokens(null as unknown as number);
    }
  });

  // SQLite is served by one process; on Postgres several instances share the database and the row lock serializes them.
  it.runIf(dialect === "postgres")("refreshes once when two server instances are asked at the same time", async () => {
    const second = secondInstance!;
    github.issueExpiringTokens(3600);
    try {
      const { user, connection } = await signedInGithubUser("instances");
      await expireProviderToken(connection.id);
      const refreshesBefore = github.refreshCount();
      const path = `/users/${user.id}/social-connections/${connection.id}/access-token`;
      const callSecond = apiClient(second.baseUrl, second.apiKey);
      const answers = await Promise.all([call, callSecond, call, callSecond].map((client) => client("GET", path)));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      expect(github.refreshCount() - refreshesBefore).toBe(1);
      expect(new Set(answers.map((answer) => answer.body.access_token)).size).toBe(1);
    } finally {
      github.issueExpiringTokens(null as unknown as number);
    }
  });

  it("lets a user with a password link GitHub, then unlink it; an OAuth-only user keeps their last connection", async () => {
    const user = await createUser(call);
    const browser = new TestBrowser();
    const signInWithPassword = async () => {
      const signedIn = await fetch(`${server.baseUrl}/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: user.primary_email_address, password: GOOD_PASSWORD }),
      });
      browser.setCookie(server.baseUrl, "__session", ((await signedIn.json()) as { token: string }).token);
    };
    await signInWithPassword();
    const octo = newGithubUser([{ email: uniqueEmail("second"), verified: true, primary: true }]);
    github.signInNextAs(octo.id);
    expect((await signIn(browser, { intent: "link" })).href).toBe(APP_URL);
    const [connection] = await published.users.listSocialConnections(user.id);
    expect(connection).toMatchObject({ provider: "github_oauth", provider_user_id: String(octo.id) });

    // Without the password, GitHub would be the last way in.
    await call("DELETE", `/users/${user.id}/password`);
    const refused = await browser.request(`${server.baseUrl}/oauth/connections/${connection!.id}`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.body).code).toBe("last_sign_in_method");
    await call("PATCH", `/users/${user.id}/password`, { new_password: GOOD_PASSWORD });
    await signInWithPassword(); // setting a password ended the user's sessions
    expect((await browser.request(`${server.baseUrl}/oauth/connections/${connection!.id}`, { method: "DELETE" })).status).toBe(200);
    expect(await published.users.listSocialConnections(user.id)).toEqual([]);
  });
});
