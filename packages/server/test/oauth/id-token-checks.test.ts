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
    const { stoppedAt } = await browser.navigate(`${server.baseUrl}/oauth/google_oauth/start?redirect_url=${encodeURIComponent(APP_URL)}`, (next) => next.origin === new URL(APP_URL).origin);
    return { landed: stoppedAt!, session: browser.cookie(server.baseUrl, "__session"), email };
  }

  it("accepts a well-formed ID token carrying the email and names", async () => {
    const { landed, session, email } = await signInWith("valid");
    expect(landed.href).toBe(APP_URL);
    expect(session).toMatch(/^ses_/);
    const [user] = (await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.data;
    expect(user).toMatchObject({ first_name: "Grace", last_name: "Brewster Hopper" });
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
