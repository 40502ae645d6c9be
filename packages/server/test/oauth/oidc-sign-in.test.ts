import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WachtClient } from "wacht-published";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { TestBrowser } from "../helpers/browser.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, buildPng, createUser, getDetails, uniqueTag } from "../helpers/fixtures.js";
import { decodeJwt } from "../helpers/frontend.js";
import { configureOidcSignIn, startOidcProvider, type TestOidcProvider } from "../helpers/oidc-provider.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/** The app a sign-in returns to; never fetched: the browser stops when it is sent there. */
const APP_URL = "http://127.0.0.1:9/after-sign-in";
const PROVIDER = "oidc_test";
const PICTURE = buildPng(3, 3, [10, 200, 30]);

/** A port nothing listens on: a provider there is down. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe.each(DIALECTS)("OpenID Connect sign-in on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let idp: TestOidcProvider;
  let published: WachtClient;
  const isApp = (url: URL) => url.origin === new URL(APP_URL).origin;

  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
    published = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
    idp = await startOidcProvider({ redirectUris: [`${server.baseUrl}/oauth/${PROVIDER}/callback`], picturePng: PICTURE });
    await configureOidcSignIn(call, PROVIDER, idp, APP_URL, ["openid", "email", "profile"]);
  });
  afterAll(async () => {
    await idp?.close();
    await server?.close();
  });

  const startUrl = (query: Record<string, string> = {}, provider = PROVIDER) =>
    `${server.baseUrl}/oauth/${provider}/start?${new URLSearchParams({ redirect_url: APP_URL, ...query })}`;

  /** A whole sign-in in `browser`: from our start URL through the provider and back to the app. */
  async function signIn(browser: TestBrowser, query: Record<string, string> = {}, provider = PROVIDER): Promise<URL> {
    const { stoppedAt, hop } = await browser.navigate(startUrl(query, provider), isApp);
    if (!stoppedAt) throw new Error(`the sign-in did not return to the app: ${hop.status} ${hop.url} ${hop.body.slice(0, 300)}`);
    return stoppedAt;
  }

  /** Runs a sign-in up to the provider's redirect to our callback and returns that callback URL unvisited. */
  async function callbackUrlOf(browser: TestBrowser): Promise<URL> {
    const { stoppedAt } = await browser.navigate(startUrl(), (next) => next.pathname.endsWith("/callback"));
    if (!stoppedAt) throw new Error("the provider did not redirect to the callback");
    return stoppedAt;
  }

  /** Starts a sign-in and stops at the provider: the state our server sent. */
  async function stateAtProvider(browser: TestBrowser): Promise<string> {
    const { stoppedAt } = await browser.navigate(startUrl(), (next) => next.origin === idp.issuer);
    return stoppedAt!.searchParams.get("state")!;
  }

  const sessionCookie = (browser: TestBrowser) => browser.cookie(server.baseUrl, "__session");
  const newAccount = (fields: Record<string, unknown> = {}) =>
    idp.addAccount({ sub: `sub-${uniqueTag()}`, email: uniqueEmail("oidc"), email_verified: true, given_name: "Ada", family_name: "Lovelace", ...fields });

  async function usersWithEmail(email: string): Promise<any[]> {
    return (await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.data;
  }

  describe("sign-up and sign-in", () => {
    it("sends the browser to the discovered authorization endpoint with state, PKCE S256 and a nonce", async () => {
      const browser = new TestBrowser();
      const first = await browser.request(startUrl());
      expect(first.status).toBe(302);
      const location = new URL(first.location!);
      expect(`${location.origin}${location.pathname}`).toBe(`${idp.issuer}/auth`);
      expect(Object.fromEntries(location.searchParams)).toMatchObject({
        response_type: "code",
        client_id: idp.clientId,
        redirect_uri: `${server.baseUrl}/oauth/${PROVIDER}/callback`,
        scope: "openid email profile",
        code_challenge_method: "S256",
      });
      expect(location.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(location.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(location.searchParams.get("nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(first.headers.getSetCookie().join("\n")).toMatch(/__wacht_oauth=[A-Za-z0-9_-]{43}; Path=\/oauth; HttpOnly; SameSite=Lax/);
      // The state is kept only as a hash; the verifier only sealed.
      const row = await server.db.selectFrom("oauth_states").selectAll().orderBy("created_at", "desc").executeTakeFirstOrThrow();
      expect(row.state_hash).not.toContain(location.searchParams.get("state"));
      expect(row.code_verifier_sealed).toMatch(/^ws1\./);
    });

    it("creates a user from a new account's verified email, names and picture, and signs them in with a session cookie", async () => {
      const account = newAccount({ picture: `${idp.issuer}/picture.png` });
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      const landed = await signIn(browser);
      expect(landed.href).toBe(APP_URL);
      const credential = sessionCookie(browser);
      expect(credential).toMatch(/^ses_/);

      const token = await browser.request(`${server.baseUrl}/session/token`);
      expect(token.status).toBe(200);
      const [user] = await usersWithEmail(account.email!);
      expect(user).toMatchObject({ first_name: "Ada", last_name: "Lovelace", primary_email_address: account.email });
      const details = await getDetails(call, user.id);
      expect(details.has_password).toBe(false);
      const picture = await fetch(user.profile_picture_url);
      expect(Buffer.from(await picture.arrayBuffer()).equals(PICTURE)).toBe(true);
      expect(details.email_addresses[0]).toMatchObject({ email: account.email, verified: true, is_primary: true, verification_strategy: "oauth_oidc_test" });

      const connections = await published.users.listSocialConnections(user.id);
      expect(connections).toHaveLength(1);
      expect(connections[0]).toMatchObject({
        provider: PROVIDER,
        provider_user_id: account.sub,
        email_address: account.email,
        user_email_address_id: details.email_addresses[0].id,
      });
      expect((await call("GET", `/users/${user.id}/sessions`)).body.data).toHaveLength(1);
    });

    it("signs an existing connection's user in again, with no second user; a picture from elsewhere is not fetched", async () => {
      const account = newAccount({ picture: `http://127.0.0.1:${await closedPort()}/tracker.png` });
      idp.signInNextAs(account.sub);
      await signIn(new TestBrowser());
      idp.signInNextAs(account.sub);
      const again = new TestBrowser();
      expect((await signIn(again)).href).toBe(APP_URL);
      const users = await usersWithEmail(account.email!);
      expect(users).toHaveLength(1);
      expect(users[0].profile_picture_url).toBeNull();
      expect((await call("GET", `/users/${users[0].id}/sessions`)).body.data).toHaveLength(2);
      expect(await published.users.listSocialConnections(users[0].id)).toHaveLength(1);
    });

    it("makes one user when two first sign-ins of one account finish at the same time; both are signed in", async () => {
      const account = newAccount();
      const browsers = [new TestBrowser(), new TestBrowser(), new TestBrowser()];
      const callbacks: URL[] = [];
      for (const browser of browsers) {
        idp.signInNextAs(account.sub);
        callbacks.push(await callbackUrlOf(browser));
      }
      const answers = await Promise.all(browsers.map((browser, index) => browser.request(callbacks[index]!.href)));
      expect(answers.map((answer) => answer.location)).toEqual([APP_URL, APP_URL, APP_URL]);
      const users = await usersWithEmail(account.email!);
      expect(users).toHaveLength(1);
      expect(await published.users.listSocialConnections(users[0].id)).toHaveLength(1);
      expect((await call("GET", `/users/${users[0].id}/sessions`)).body.data).toHaveLength(3);
    });

    it("keeps the query string of an allowed redirect_url and refuses everything else as JSON, with no redirect", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      const landed = await signIn(new TestBrowser(), { redirect_url: `${APP_URL}?next=%2Fdashboard` });
      expect(landed.searchParams.get("next")).toBe("/dashboard");

      for (const bad of [
        "https://evil.example/after-sign-in",
        "http://127.0.0.1:9/after-sign-in-evil",
        "http://127.0.0.1:9/after-sign-in/../admin",
        "http://127.0.0.1:9/",
        "http://127.0.0.1:90/after-sign-in",
        "https://127.0.0.1:9/after-sign-in",
        "//evil.example/after-sign-in",
        "http://user@127.0.0.1:9/after-sign-in",
        "javascript:alert(1)",
      ]) {
        const refused = await new TestBrowser().request(startUrl({ redirect_url: bad }));
        expect(refused.status, bad).toBe(400);
        expect(refused.location, bad).toBeNull();
        expect(JSON.parse(refused.body).code, bad).toBe("redirect_url_not_allowed");
      }
      const missing = await new TestBrowser().request(`${server.baseUrl}/oauth/${PROVIDER}/start`);
      expect(missing.status).toBe(400);
    });
  });

  describe("linking rules", () => {
    it("links to the user whose verified email the provider has verified", async () => {
      const email = uniqueEmail("link");
      const user = await createUser(call, { email_address: email });
      const account = newAccount({ email: email.toUpperCase() });
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      expect((await signIn(browser)).href).toBe(APP_URL);
      expect(await usersWithEmail(email)).toHaveLength(1);
      const details = await getDetails(call, user.id);
      expect(details.social_connections).toEqual([
        expect.objectContaining({ provider: PROVIDER, provider_user_id: account.sub, user_email_address_id: details.email_addresses[0].id }),
      ]);
      const token = await browser.request(`${server.baseUrl}/session/token`);
      expect(decodeJwt(JSON.parse(token.body).data.token).payload.sub).toBe(user.id);
    });

    it("refuses an email the provider has not verified, even when it is a user's verified email (no takeover, no new user)", async () => {
      const email = uniqueEmail("victim");
      const victim = await createUser(call, { email_address: email });
      const account = newAccount({ email, email_verified: false });
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      const landed = await signIn(browser);
      expect(landed.searchParams.get("error")).toBe("oauth_email_not_verified");
      expect(sessionCookie(browser)).toBeUndefined();
      expect((await getDetails(call, victim.id)).social_connections).toEqual([]);
      expect(await usersWithEmail(email)).toHaveLength(1);
    });

    it("refuses to link through an address the user has not verified, even when the provider has", async () => {
      const holder = await createUser(call);
      const unverified = uniqueEmail("unverified");
      expect((await call("POST", `/users/${holder.id}/emails`, { email: unverified, verified: false })).status).toBe(200);
      const account = newAccount({ email: unverified });
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      expect((await signIn(browser)).searchParams.get("error")).toBe("oauth_account_email_unverified");
      expect(sessionCookie(browser)).toBeUndefined();
      const details = await getDetails(call, holder.id);
      expect(details.social_connections).toEqual([]);
      expect(details.email_addresses.find((e: any) => e.email === unverified).verified).toBe(false);
    });

    it("creates no user when sign-up through OAuth is off, and signs existing connections in still", async () => {
      const known = newAccount();
      idp.signInNextAs(known.sub);
      await signIn(new TestBrowser());
      await call("PATCH", "/oauth-settings", { allow_sign_up: false });
      try {
        const stranger = newAccount();
        idp.signInNextAs(stranger.sub);
        expect((await signIn(new TestBrowser())).searchParams.get("error")).toBe("oauth_sign_up_disabled");
        expect(await usersWithEmail(stranger.email!)).toHaveLength(0);
        idp.signInNextAs(known.sub);
        const browser = new TestBrowser();
        expect((await signIn(browser)).href).toBe(APP_URL);
        expect(sessionCookie(browser)).toMatch(/^ses_/);
      } finally {
        await call("PATCH", "/oauth-settings", { allow_sign_up: true });
      }
    });

    it("refuses a disabled user", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      await signIn(new TestBrowser());
      const [user] = await usersWithEmail(account.email!);
      await call("PATCH", `/users/${user.id}`, { disabled: true });
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      expect((await signIn(browser)).searchParams.get("error")).toBe("user_disabled");
      expect(sessionCookie(browser)).toBeUndefined();
    });

    it("does not let a provider alone sign in a user who has a second factor: it asks for one (oauth-second-factor.test.ts)", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      await signIn(new TestBrowser());
      const [user] = await usersWithEmail(account.email!);
      expect((await call("POST", `/users/${user.id}/backup-codes/regenerate`)).status).toBe(200);
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      expect((await signIn(browser)).searchParams.get("status")).toBe("needs_second_factor");
      expect(sessionCookie(browser)).toBeUndefined();
    });

    it("links a provider to the signed-in user (intent=link); it then lists and unlinks its own connections", async () => {
      const user = await createUser(call);
      const signedIn = await fetch(`${server.baseUrl}/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: user.primary_email_address, password: GOOD_PASSWORD }),
      });
      const credential = ((await signedIn.json()) as { token: string }).token;
      const browser = new TestBrowser();
      browser.setCookie(server.baseUrl, "__session", credential);
      const account = newAccount();
      idp.signInNextAs(account.sub);
      expect((await signIn(browser, { intent: "link" })).href).toBe(APP_URL);
      expect(sessionCookie(browser)).toBe(credential);

      const details = await getDetails(call, user.id);
      expect(details.social_connections).toEqual([expect.objectContaining({ provider: PROVIDER, provider_user_id: account.sub })]);
      expect(details.email_addresses.map((e: any) => e.email)).toContain(account.email);
      expect(await usersWithEmail(account.email!)).toHaveLength(1);

      const own = await browser.request(`${server.baseUrl}/oauth/connections`);
      expect(JSON.parse(own.body).data.map((c: any) => c.id)).toEqual([details.social_connections[0].id]);
      // Signed in with a password, so the connection is not the last way in.
      const unlinked = await browser.request(`${server.baseUrl}/oauth/connections/${details.social_connections[0].id}`, { method: "DELETE" });
      expect(unlinked.status).toBe(200);
      expect(await published.users.listSocialConnections(user.id)).toEqual([]);

      const anonymous = await new TestBrowser().navigate(startUrl({ intent: "link" }), isApp);
      expect(anonymous.stoppedAt!.searchParams.get("error")).toBe("oauth_not_signed_in");
    });

    it("refuses to link a provider account that belongs to another user", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      await signIn(new TestBrowser());
      const other = await createUser(call);
      const signedIn = await fetch(`${server.baseUrl}/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: other.primary_email_address, password: GOOD_PASSWORD }),
      });
      const browser = new TestBrowser();
      browser.setCookie(server.baseUrl, "__session", ((await signedIn.json()) as { token: string }).token);
      idp.signInNextAs(account.sub);
      expect((await signIn(browser, { intent: "link" })).searchParams.get("error")).toBe("oauth_account_linked_elsewhere");
      expect((await getDetails(call, other.id)).social_connections).toEqual([]);
    });

    it("refuses to unlink a user's last way to sign in; the admin unlink works and ends no session", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      await signIn(browser);
      const [user] = await usersWithEmail(account.email!);
      const [connection] = await published.users.listSocialConnections(user.id);
      const refused = await browser.request(`${server.baseUrl}/oauth/connections/${connection!.id}`, { method: "DELETE" });
      expect(refused.status).toBe(409);
      expect(JSON.parse(refused.body).code).toBe("last_sign_in_method");
      expect(await published.users.listSocialConnections(user.id)).toHaveLength(1);
      expect((await browser.request(`${server.baseUrl}/oauth/connections/sca_unknown`, { method: "DELETE" })).status).toBe(404);
      expect((await new TestBrowser().request(`${server.baseUrl}/oauth/connections`)).status).toBe(401);

      await published.users.deleteSocialConnection(user.id, connection!.id);
      expect(await published.users.listSocialConnections(user.id)).toEqual([]);
      expect((await browser.request(`${server.baseUrl}/session/token`)).status).toBe(200);
      expect(await server.db.selectFrom("oauth_tokens").select("connection_id").where("connection_id", "=", connection!.id).execute()).toEqual([]);
    });
  });

  describe("refusals end on redirect_url with an error code", () => {
    it("reports denied consent as access_denied", async () => {
      idp.denyNext();
      const browser = new TestBrowser();
      const landed = await signIn(browser);
      expect(`${landed.origin}${landed.pathname}`).toBe(APP_URL);
      expect(landed.searchParams.get("error")).toBe("access_denied");
      expect(sessionCookie(browser)).toBeUndefined();
    });

    it("uses a state once: a replayed callback is refused", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      const callback = await callbackUrlOf(browser);
      const first = await browser.request(callback.href);
      expect(first.location).toBe(APP_URL);
      const replay = await browser.request(callback.href);
      expect(new URL(replay.location!).searchParams.get("error")).toBe("oauth_state_replayed");
      expect(replay.headers.getSetCookie().some((line) => line.startsWith("__session="))).toBe(false);
    });

    it("refuses a code the provider already redeemed (code replay) under a fresh state", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      const callback = await callbackUrlOf(browser);
      await browser.request(callback.href);
      const freshState = await stateAtProvider(browser);
      const replay = await browser.request(
        `${server.baseUrl}/oauth/${PROVIDER}/callback?${new URLSearchParams({ code: callback.searchParams.get("code")!, state: freshState })}`,
      );
      expect(new URL(replay.location!).searchParams.get("error")).toBe("code_rejected");
    });

    it("refuses a code redeemed with another sign-in's PKCE verifier", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      const callback = await callbackUrlOf(browser);
      const otherState = await stateAtProvider(browser);
      const swapped = await browser.request(
        `${server.baseUrl}/oauth/${PROVIDER}/callback?${new URLSearchParams({ code: callback.searchParams.get("code")!, state: otherState })}`,
      );
      expect(new URL(swapped.location!).searchParams.get("error")).toBe("code_rejected");
      expect(sessionCookie(browser)).toBeUndefined();
    });

    it("refuses an answer that names another issuer (RFC 9207 mix-up)", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      const callback = await callbackUrlOf(browser);
      expect(callback.searchParams.get("iss")).toBe(idp.issuer);
      callback.searchParams.set("iss", "https://attacker.example");
      const answer = await browser.request(callback.href);
      expect(new URL(answer.location!).searchParams.get("error")).toBe("provider_error");
      expect(sessionCookie(browser)).toBeUndefined();
    });

    it("refuses a callback in a browser other than the one that started the sign-in (login CSRF)", async () => {
      const attacker = newAccount();
      idp.signInNextAs(attacker.sub);
      const callback = await callbackUrlOf(new TestBrowser());
      const victim = new TestBrowser();
      const planted = await victim.request(callback.href);
      expect(new URL(planted.location!).searchParams.get("error")).toBe("oauth_state_mismatch");
      expect(sessionCookie(victim)).toBeUndefined();
      expect(await usersWithEmail(attacker.email!)).toHaveLength(0);
    });

    it("refuses an expired state, and answers an unknown state with a JSON 400", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      const callback = await callbackUrlOf(browser);
      await server.db
        .updateTable("oauth_states")
        .set({ expires_at: Date.now() - 1000 })
        .where("used_at", "is", null)
        .execute();
      const late = await browser.request(callback.href);
      expect(new URL(late.location!).searchParams.get("error")).toBe("oauth_state_expired");

      for (const query of ["?state=made-up&code=x", "?code=x", "?error=access_denied"]) {
        const unknown = await browser.request(`${server.baseUrl}/oauth/${PROVIDER}/callback${query}`);
        expect(unknown.status, query).toBe(400);
        expect(unknown.location).toBeNull();
        expect(JSON.parse(unknown.body).code).toBe("oauth_state_invalid");
      }
    });

    it("reports a provider that cannot be reached, and one that is not configured", async () => {
      const port = await closedPort();
      await call("POST", "/oauth-providers", { provider: "oidc_down", client_id: "c", client_secret: "s", issuer: `http://127.0.0.1:${port}` });
      const down = await new TestBrowser().navigate(startUrl({}, "oidc_down"), isApp);
      expect(down.stoppedAt!.searchParams.get("error")).toBe("provider_unavailable");
      await call("PATCH", "/oauth-providers/oidc_down", { enabled: false });
      const disabled = await new TestBrowser().navigate(startUrl({}, "oidc_down"), isApp);
      expect(disabled.stoppedAt!.searchParams.get("error")).toBe("oauth_provider_not_enabled");
      const unknown = await new TestBrowser().navigate(startUrl({}, "oidc_nobody"), isApp);
      expect(unknown.stoppedAt!.searchParams.get("error")).toBe("oauth_provider_not_enabled");
    });
  });

  describe("provider tokens", () => {
    it("stores them sealed, never returns them by default, and hands out a fresh access token that the provider accepts", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      await signIn(browser);
      const [user] = await usersWithEmail(account.email!);
      const [connection] = await published.users.listSocialConnections(user.id);
      const stored = await server.db.selectFrom("oauth_tokens").selectAll().where("connection_id", "=", connection!.id).executeTakeFirstOrThrow();
      expect(stored.access_token_sealed).toMatch(/^ws1\./);
      expect(stored.refresh_token_sealed).toMatch(/^ws1\./);

      const first = await call("GET", `/users/${user.id}/social-connections/${connection!.id}/access-token`);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ connection_id: connection!.id, provider: PROVIDER, token_type: "Bearer" });
      const userinfo = async (token: string) => (await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<any>;
      expect((await userinfo(first.body.access_token)).sub).toBe(account.sub);
      for (const body of [
        JSON.stringify(await getDetails(call, user.id)),
        JSON.stringify(connection),
        ...browser.history.map((hop) => hop.body + hop.location),
      ]) {
        expect(body).not.toContain(first.body.access_token);
      }

      // Expired: refreshed with the stored refresh token before it is handed out.
      await server.db
        .updateTable("oauth_tokens")
        .set({ expires_at: Date.now() - 1000 })
        .where("connection_id", "=", connection!.id)
        .execute();
      const refreshed = await call("GET", `/users/${user.id}/social-connections/${connection!.id}/access-token`);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.access_token).not.toBe(first.body.access_token);
      expect((await userinfo(refreshed.body.access_token)).sub).toBe(account.sub);
      expect(Date.parse(refreshed.body.expires_at)).toBeGreaterThan(Date.now());

      const admin = await createUser(call);
      const adminLinked = await call("POST", `/users/${admin.id}/social-connections`, { provider: "google", provider_user_id: `g-${uniqueTag()}` });
      const none = await call("GET", `/users/${admin.id}/social-connections/${adminLinked.body.id}/access-token`);
      expect(none.status).toBe(404);
      expect(none.body.code).toBe("oauth_tokens_not_found");
      expect((await call("GET", `/users/${user.id}/social-connections/sca_nope/access-token`)).status).toBe(404);
    });

    it("never puts the client secret in any answer of the flow or the API", async () => {
      const account = newAccount();
      idp.signInNextAs(account.sub);
      const browser = new TestBrowser();
      await signIn(browser);
      idp.denyNext();
      await signIn(browser);
      const answers = [
        ...browser.history.map((hop) => `${hop.location} ${hop.body} ${[...hop.headers].join(" ")}`),
        JSON.stringify((await call("GET", "/oauth-providers")).body),
        JSON.stringify((await call("GET", `/oauth-providers/${PROVIDER}`)).body),
        JSON.stringify((await call("GET", "/openapi.json")).body),
      ];
      for (const answer of answers) expect(answer).not.toContain(idp.clientSecret);
    });
  });
});
