import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { TestBrowser } from "../helpers/browser.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser, getDetails, uniqueTag } from "../helpers/fixtures.js";
import { configureOidcSignIn, startOidcProvider, type TestOidcProvider } from "../helpers/oidc-provider.js";
import { SoftAuthenticator } from "../helpers/soft-authenticator.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { fastWebhookConfig, startReceiver, type ReceivedWebhook, type Receiver } from "../helpers/webhook-receiver.js";

const APP_URL = "http://127.0.0.1:9/after-sign-in";
const PROVIDER = "oidc_events";
const SUBSCRIBED = ["user.created", "user.updated", "email.created", "email.updated", "social_connection.created", "social_connection.deleted"];

/**
 * What social sign-ins make reaches a webhook endpoint like any other change, as the end user's
 * own act; and the "last way to sign in" rule of unlinking counts passkeys.
 */
describe.each(DIALECTS)("events and unlinking of social sign-ins on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let idp: TestOidcProvider;
  let receiver: Receiver;
  let signingSecret: string;
  const isApp = (url: URL) => url.origin === new URL(APP_URL).origin;

  beforeAll(async () => {
    server = await startServer(dialect, { config: fastWebhookConfig });
    call = apiClient(server.baseUrl, server.apiKey);
    idp = await startOidcProvider({ redirectUris: [`${server.baseUrl}/oauth/${PROVIDER}/callback`] });
    await configureOidcSignIn(call, PROVIDER, idp, APP_URL);
    receiver = await startReceiver();
    signingSecret = (await call("POST", "/webhooks/apps", { app_slug: "sync", name: "Sync" })).body.signing_secret;
    const endpoint = await call("POST", "/webhooks/apps/sync/endpoints", {
      url: receiver.url,
      subscriptions: SUBSCRIBED.map((event_name) => ({ event_name })),
    });
    expect(endpoint.status).toBe(200);
  });
  afterAll(async () => {
    await receiver?.close();
    await idp?.close();
    await server?.close();
  });

  async function signIn(browser: TestBrowser, sub: string, query: Record<string, string> = {}): Promise<URL> {
    idp.signInNextAs(sub);
    const { stoppedAt, hop } = await browser.navigate(
      `${server.baseUrl}/oauth/${PROVIDER}/start?${new URLSearchParams({ redirect_url: APP_URL, ...query })}`,
      isApp,
    );
    if (!stoppedAt) throw new Error(`the sign-in did not return to the app: ${hop.status} ${hop.body.slice(0, 300)}`);
    return stoppedAt;
  }
  const newAccount = () =>
    idp.addAccount({ sub: `sub-${uniqueTag()}`, email: uniqueEmail("events"), email_verified: true, given_name: "Ada", family_name: "Lovelace" });

  /** The delivered event of `type` whose data satisfies `match`, its signature checked. */
  async function delivered(type: string, match: (data: any) => boolean): Promise<any> {
    const isIt = (webhook: ReceivedWebhook) => webhook.json?.type === type && match(webhook.json.data);
    const webhook = (await receiver.waitFor((all) => all.some(isIt))).find(isIt)!;
    return (new Webhook(signingSecret).verify(webhook.body, webhook.headers as Record<string, string>) as any).data;
  }
  /** Every event type written for a user, sorted: the outbox is written with the change, so this is exact. */
  async function eventTypesAbout(userId: string): Promise<string[]> {
    const rows = await server.db.selectFrom("webhook_events").select(["event_type", "payload"]).execute();
    return rows
      .filter((row) => row.payload.includes(userId))
      .map((row) => row.event_type)
      .sort();
  }
  const userOf = async (email: string) => (await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.data[0];
  const passwordSession = async (identifier: string) => {
    const answer = await fetch(`${server.baseUrl}/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ identifier, password: GOOD_PASSWORD }),
    });
    return ((await answer.json()) as { token: string }).token;
  };

  it("a sign-up sends user.created (the details document), email.created and social_connection.created; signing in again sends none", async () => {
    const account = newAccount();
    await signIn(new TestBrowser(), account.sub);
    const user = await userOf(account.email!);
    const details = await getDetails(call, user.id);
    const [connection] = (await call("GET", `/users/${user.id}/social-connections`)).body.data;

    expect(details.last_sign_in_at).not.toBeNull();
    // The document as it was made, before the session opened.
    expect(await delivered("user.created", (data) => data.id === user.id)).toEqual({ ...details, last_sign_in_at: null });
    expect(await delivered("email.created", (data) => data.user_id === user.id)).toMatchObject({
      id: details.email_addresses[0].id,
      email: account.email,
      verified: true,
      verification_strategy: `oauth_${PROVIDER}`,
    });
    expect(await delivered("social_connection.created", (data) => data.id === connection.id)).toEqual(connection);

    await signIn(new TestBrowser(), account.sub);
    expect(await eventTypesAbout(user.id)).toEqual(["email.created", "session.created", "session.created", "social_connection.created", "user.created"]);
    // An end user's act: events, no admin audit entry.
    expect((await call("GET", `/audit-logs?user_id=${user.id}`)).body.data).toEqual([]);
  });

  it("linking by a verified email sends social_connection.created and user.updated (the document now lists it), no user.created", async () => {
    const email = uniqueEmail("existing");
    const user = await createUser(call, { email_address: email });
    const account = idp.addAccount({ sub: `sub-${uniqueTag()}`, email, email_verified: true });
    expect((await signIn(new TestBrowser(), account.sub)).href).toBe(APP_URL);
    const [connection] = (await call("GET", `/users/${user.id}/social-connections`)).body.data;

    expect(await delivered("social_connection.created", (data) => data.id === connection.id)).toEqual(connection);
    const updated = await delivered("user.updated", (data) => data.id === user.id);
    expect(updated).toEqual({ ...(await getDetails(call, user.id)), last_sign_in_at: null });
    expect(updated.social_connections.map((item: any) => item.id)).toEqual([connection.id]);
    expect(await eventTypesAbout(user.id)).toEqual(["session.created", "social_connection.created", "user.created", "user.updated"]);
  });

  it("linking a provider to the signed-in user sends the connection, the new email and user.updated; unlinking sends social_connection.deleted", async () => {
    const user = await createUser(call, { email_address: uniqueEmail("linker") });
    const browser = new TestBrowser();
    browser.setCookie(server.baseUrl, "__session", await passwordSession(user.primary_email_address));
    const account = newAccount();
    expect((await signIn(browser, account.sub, { intent: "link" })).href).toBe(APP_URL);
    const details = await getDetails(call, user.id);
    const connection = details.social_connections[0];
    const email = details.email_addresses.find((item: any) => item.email === account.email);

    expect(await delivered("social_connection.created", (data) => data.id === connection.id)).toMatchObject({ id: connection.id, provider: PROVIDER });
    expect(await delivered("email.created", (data) => data.id === email.id)).toMatchObject({ email: account.email, verified: true });
    expect(await delivered("user.updated", (data) => data.id === user.id && data.social_connections.length === 1)).toEqual(details);

    const unlinked = await browser.request(`${server.baseUrl}/oauth/connections/${connection.id}`, { method: "DELETE" });
    expect(unlinked.status).toBe(200);
    expect(await delivered("social_connection.deleted", (data) => data.id === connection.id)).toEqual({ id: connection.id, deleted: true });
  });

  it("lets a user with no password unlink their one connection when they have a passkey, and not without one", async () => {
    const account = newAccount();
    const browser = new TestBrowser();
    await signIn(browser, account.sub);
    const user = await userOf(account.email!);
    const [connection] = (await call("GET", `/users/${user.id}/social-connections`)).body.data;
    const unlink = () => browser.request(`${server.baseUrl}/oauth/connections/${connection.id}`, { method: "DELETE" });

    const refused = await unlink();
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.body).code).toBe("last_sign_in_method");

    const session = browser.cookie(server.baseUrl, "__session")!;
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    const options = await fetch(`${server.baseUrl}/passkeys/registration/options`, { method: "POST", headers: { authorization: `Bearer ${session}` } });
    expect(options.status).toBe(200);
    const registered = await fetch(`${server.baseUrl}/passkeys/registration/verify`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `__session=${session}` },
      body: JSON.stringify({ response: authenticator.createCredential(await options.json()) }),
    });
    expect(registered.status).toBe(200);
    expect((await getDetails(call, user.id)).has_password).toBe(false);

    expect((await unlink()).status).toBe(200);
    expect((await call("GET", `/users/${user.id}/social-connections`)).body.data).toEqual([]);
    // The passkey is the way in now.
    const signInOptions = await fetch(`${server.baseUrl}/sign-in/passkey/options`, { method: "POST" });
    const passkeySignIn = await fetch(`${server.baseUrl}/sign-in/passkey/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response: authenticator.getAssertion(await signInOptions.json()) }),
    });
    expect(((await passkeySignIn.json()) as any).user_id).toBe(user.id);
  });
});
