import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WachtClient } from "wacht-published";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { TestBrowser, type Hop } from "../helpers/browser.js";
import { DIALECTS } from "../helpers/dialects.js";
import { getDetails, uniqueTag } from "../helpers/fixtures.js";
import { configureOidcSignIn, startOidcProvider, type TestOidcProvider } from "../helpers/oidc-provider.js";
import { enrolTotp, issueBackupCodes, totpAt } from "../helpers/second-factors.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/** The app a sign-in returns to; never fetched: the browser stops when it is sent there. */
const APP_URL = "http://127.0.0.1:9/after-sign-in";
const PROVIDER = "oidc_test";
const PENDING_COOKIE = "__wacht_sign_in";
/** The default allowance of wrong passwords and codes (WACHT_SIGN_IN_MAX_FAILURES). */
const MAX_FAILURES = 10;

/**
 * A social sign-in of a user with a second factor ends like a password sign-in that needs one:
 * a pending sign-in, finished by POST /sign-in/second-factor, with the session recorded as the
 * provider's sign-in.
 */
describe.each(DIALECTS)("the second factor after a social sign-in on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let idp: TestOidcProvider;
  let published: WachtClient;
  const isApp = (url: URL) => url.origin === new URL(APP_URL).origin;

  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
    published = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
    idp = await startOidcProvider({ redirectUris: [`${server.baseUrl}/oauth/${PROVIDER}/callback`] });
    await configureOidcSignIn(call, PROVIDER, idp, APP_URL, ["openid", "email", "profile"]);
  });
  afterAll(async () => {
    await idp?.close();
    await server?.close();
  });

  const startUrl = () => `${server.baseUrl}/oauth/${PROVIDER}/start?${new URLSearchParams({ redirect_url: `${APP_URL}?tab=home` })}`;

  /** A whole sign-in in `browser` as `sub`: where it landed, and the callback's answer (its cookies). */
  async function signIn(browser: TestBrowser, sub: string): Promise<{ landed: URL; callback: Hop }> {
    idp.signInNextAs(sub);
    const { stoppedAt, hop } = await browser.navigate(startUrl(), isApp);
    if (!stoppedAt) throw new Error(`the sign-in did not return to the app: ${hop.status} ${hop.url} ${hop.body.slice(0, 300)}`);
    return { landed: stoppedAt, callback: hop };
  }

  /** A user made by a first social sign-in (no second factor yet): its id and provider subject. */
  async function socialUser(): Promise<{ userId: string; sub: string }> {
    const account = idp.addAccount({ sub: `sub-${uniqueTag()}`, email: uniqueEmail("mfa"), email_verified: true, given_name: "Grace", family_name: "Hopper" });
    const { landed } = await signIn(new TestBrowser(), account.sub);
    expect(landed.searchParams.get("status")).toBeNull();
    const found = (await call("GET", `/users?email_address=${encodeURIComponent(account.email!)}`)).body.data;
    expect(found).toHaveLength(1);
    return { userId: found[0].id, sub: account.sub };
  }

  const secondFactor = (browser: TestBrowser, body: Record<string, unknown>) =>
    browser
      .request(`${server.baseUrl}/sign-in/second-factor`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then((hop) => ({ ...hop, json: JSON.parse(hop.body) }));
  const sessionsOf = async (userId: string) => (await call("GET", `/users/${userId}/sessions`)).body.data as any[];

  it("returns to redirect_url with status=needs_second_factor and the pending sign-in in an HttpOnly cookie; a TOTP code opens an oauth_ session", async () => {
    const { userId, sub } = await socialUser();
    const secret = await enrolTotp(call, userId);
    const browser = new TestBrowser();
    const { landed, callback } = await signIn(browser, sub);

    // The app's own query string is kept; the URL says what is needed and carries no secret.
    expect(`${landed.origin}${landed.pathname}`).toBe("http://127.0.0.1:9/after-sign-in");
    expect(Object.fromEntries(landed.searchParams)).toEqual({ tab: "home", status: "needs_second_factor", supported_second_factors: "totp" });
    expect(landed.href).not.toMatch(/sia_/);
    expect(browser.cookie(server.baseUrl, "__session")).toBeUndefined();
    const pendingId = browser.cookie(server.baseUrl, PENDING_COOKIE);
    expect(pendingId).toMatch(/^sia_[0-9a-z]{32}$/);
    const setCookie = callback.headers.getSetCookie().find((line) => line.startsWith(`${PENDING_COOKIE}=`));
    expect(setCookie).toBe(`${PENDING_COOKIE}=${pendingId}; Path=/sign-in; HttpOnly; SameSite=Lax; Max-Age=600`);
    // Stored only as its hash.
    const stored = await server.db.selectFrom("pending_sign_ins").selectAll().where("user_id", "=", userId).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ first_factor: "oauth_oidc_test", password_hash_digest: "" });
    expect(JSON.stringify(stored)).not.toContain(pendingId);
    expect(await sessionsOf(userId)).toHaveLength(1); // only the first sign-in's, from before the authenticator

    const wrong = await secondFactor(browser, { strategy: "totp", code: totpAt(secret, Date.now() - 3600_000) });
    expect(wrong.status).toBe(401);
    expect(wrong.json.code).toBe("second_factor_incorrect");
    expect(browser.cookie(server.baseUrl, "__session")).toBeUndefined();

    const done = await secondFactor(browser, { strategy: "totp", code: totpAt(secret, Date.now()) });
    expect(done.status, done.body).toBe(200);
    expect(done.json).toMatchObject({ status: "complete", user_id: userId, token: expect.stringMatching(/^ses_/) });
    expect(browser.cookie(server.baseUrl, "__session")).toBe(done.json.token);
    expect(browser.cookie(server.baseUrl, PENDING_COOKIE)).toBeUndefined();
    const sessions = await sessionsOf(userId);
    expect(sessions.find((session) => session.id === done.json.session_id)).toMatchObject({ sign_in_method: "oauth_oidc_test", revoked_at: null });
    expect((await browser.request(`${server.baseUrl}/session/token`)).status).toBe(200);

    // The pending sign-in completes once.
    browser.setCookie(server.baseUrl, PENDING_COOKIE, pendingId!);
    const replay = await secondFactor(browser, { strategy: "totp", code: totpAt(secret, Date.now() + 30_000) });
    expect(replay.status).toBe(401);
    expect(replay.json.code).toBe("sign_in_attempt_invalid");
  });

  it("finishes with a backup code too, still recorded as the provider's sign-in; no cookie and no id is refused", async () => {
    const { userId, sub } = await socialUser();
    const [code] = await issueBackupCodes(call, userId);
    const browser = new TestBrowser();
    const { landed } = await signIn(browser, sub);
    expect(landed.searchParams.get("supported_second_factors")).toBe("backup_code");

    const anonymous = await secondFactor(new TestBrowser(), { strategy: "backup_code", code: code! });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.code).toBe("sign_in_attempt_invalid");

    const done = await secondFactor(browser, { strategy: "backup_code", code: code! });
    expect(done.status, done.body).toBe(200);
    expect((await sessionsOf(userId)).find((session) => session.id === done.json.session_id).sign_in_method).toBe("oauth_oidc_test");
    expect(JSON.stringify(await sessionsOf(userId))).not.toContain(code!);
  });

  it(`counts wrong codes as failed sign-ins: after ${MAX_FAILURES} the account is locked, even against the right code and the provider`, async () => {
    const { userId, sub } = await socialUser();
    const secret = await enrolTotp(call, userId);
    const browser = new TestBrowser();
    await signIn(browser, sub);
    const wrongCode = totpAt(secret, Date.now() - 3600_000);
    for (let attempt = 1; attempt <= MAX_FAILURES; attempt++) {
      const wrong = await secondFactor(browser, { strategy: "totp", code: wrongCode });
      expect([attempt, wrong.status, wrong.json.code]).toEqual([attempt, 401, "second_factor_incorrect"]);
    }
    expect((await getDetails(call, userId)).locked).toBe(true);
    const locked = await secondFactor(browser, { strategy: "totp", code: totpAt(secret, Date.now()) });
    expect(locked.status).toBe(403);
    expect(locked.json.code).toBe("user_locked");
    expect(browser.cookie(server.baseUrl, "__session")).toBeUndefined();
    expect((await signIn(new TestBrowser(), sub)).landed.searchParams.get("error")).toBe("user_locked");
  });

  it("unlinking the connection meanwhile ends the pending sign-in", async () => {
    const { userId, sub } = await socialUser();
    const secret = await enrolTotp(call, userId);
    const browser = new TestBrowser();
    expect((await signIn(browser, sub)).landed.searchParams.get("status")).toBe("needs_second_factor");
    const [connection] = await published.users.listSocialConnections(userId);
    await published.users.deleteSocialConnection(userId, connection!.id);
    const refused = await secondFactor(browser, { strategy: "totp", code: totpAt(secret, Date.now()) });
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe("sign_in_attempt_invalid");
    expect(await server.db.selectFrom("pending_sign_ins").select("id_hash").where("user_id", "=", userId).execute()).toEqual([]);
  });
});
