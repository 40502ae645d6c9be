import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { TestBrowser } from "../helpers/browser.js";
import { DIALECTS } from "../helpers/dialects.js";
import { uniqueTag } from "../helpers/fixtures.js";
import { startScriptedOidcProvider, type IdTokenFlaw, type ScriptedOidcProvider } from "../helpers/scripted-oidc.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const APP_URL = "http://127.0.0.1:9/done";

describe.each(DIALECTS)("ID token checks on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let idp: ScriptedOidcProvider;

  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
    idp = await startScriptedOidcProvider();
    // A known kind (Google) pointed at the local issuer: the same checks as for accounts.google.com.
    await call("POST", "/oauth-providers", { provider: "google_oauth", client_id: idp.clientId, client_secret: idp.clientSecret, issuer: idp.issuer });
    await call("PATCH", "/oauth-settings", { redirect_urls: [APP_URL] });
  });
  afterAll(async () => {
    await idp?.close();
    await server?.close();
  });

  async function signInWith(flaw: IdTokenFlaw, email = uniqueEmail("idt")) {
    idp.script({ sub: `g-${uniqueTag()}`, email, email_verified: true, name: "Grace Brewster Hopper" }, flaw);
    const browser = new TestBrowser();
    const { stoppedAt } = await browser.navigate(
      `${server.baseUrl}/oauth/google_oauth/start?redirect_url=${encodeURIComponent(APP_URL)}`,
      (next) => next.origin === new URL(APP_URL).origin,
    );
    return { landed: stoppedAt!, session: browser.cookie(server.baseUrl, "__session"), email };
  }

  it("accepts a well-formed ID token carrying the email and names", async () => {
    const { landed, session, email } = await signInWith("valid");
    expect(landed.href).toBe(APP_URL);
    expect(session).toMatch(/^ses_/);
    const [user] = (await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.data;
    expect(user).toMatchObject({ first_name: "Grace", last_name: "Brewster Hopper" });
  });

  it('takes an Apple-style answer posted back as a form (response_mode=form_post), with email_verified as the string "true"', async () => {
    await call("POST", "/oauth-providers", { provider: "apple_oauth", client_id: idp.clientId, client_secret: idp.clientSecret, issuer: idp.issuer });
    const email = uniqueEmail("apple");
    idp.script({ sub: `a-${uniqueTag()}`, email, email_verified: "true" }, "valid");
    const browser = new TestBrowser();
    const { hop } = await browser.navigate(`${server.baseUrl}/oauth/apple_oauth/start?redirect_url=${encodeURIComponent(APP_URL)}`);
    const authorize = new URL(browser.history[0]!.location!);
    expect(authorize.searchParams.get("response_mode")).toBe("form_post");
    expect(authorize.searchParams.get("scope")).toBe("openid email name");
    // The browser submits the provider's page: a cross-site POST to our callback.
    const action = /action="([^"]+)"/.exec(hop.body)![1]!;
    const fields = Object.fromEntries([...hop.body.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const posted = await browser.request(action, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    expect(posted.status).toBe(302);
    expect(posted.location).toBe(APP_URL);
    expect(browser.cookie(server.baseUrl, "__session")).toMatch(/^ses_/);
    const [user] = (await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.data;
    expect((await call("GET", `/users/${user.id}/social-connections`)).body.data[0].provider).toBe("apple_oauth");
  });

  for (const flaw of ["foreign_key", "wrong_audience", "wrong_nonce", "expired", "wrong_issuer", "hs256", "unsigned"] as const) {
    it(`refuses an ID token with ${flaw.replace("_", " ")}: no user, no session`, async () => {
      const { landed, session, email } = await signInWith(flaw);
      expect(landed.searchParams.get("error")).toBe("id_token_invalid");
      expect(session).toBeUndefined();
      expect((await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.data).toEqual([]);
    });
  }
});
