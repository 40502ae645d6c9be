import { beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail, uniquePhone, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser, insertTestSession } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { enrolTotp, newTotpSecret, totpAt } from "../helpers/second-factors.js";
import { SoftAuthenticator } from "../helpers/soft-authenticator.js";
import { useServer, type UsedServer } from "../helpers/use-server.js";

type Answer = Awaited<ReturnType<ApiCall>>;

/** Runs one write route (after whatever setup it needs) and says which audit action it must leave. */
type Recipe = (server: UsedServer) => Promise<{ answer: Answer; action: string }>;

/** Write operations of the Backend API that change no data, so they have nothing to audit. */
const CHANGES_NOTHING: Record<string, string> = {
  "POST /users/{userId}/verify-password": "a right password changes nothing (a wrong one is a refused attempt, counted toward lockout)",
  "POST /webhooks/apps/{appSlug}/endpoints/{endpointId}/test": "sends one request to the endpoint; writes nothing",
  "POST /webhooks/apps/{appSlug}/deliveries/replay/{taskId}/cancel": "always refused: replays finish within the request that starts them",
};

async function passkeyOf(server: UsedServer, userId: string, email: string): Promise<string> {
  const signedIn = await frontendClient(server.baseUrl).signIn(email, GOOD_PASSWORD);
  const bearer = { authorization: `Bearer ${signedIn.body.token}` };
  const options = await fetch(`${server.baseUrl}/passkeys/registration/options`, { method: "POST", headers: bearer }).then((r) => r.json());
  const response = new SoftAuthenticator({ origin: server.baseUrl }).createCredential(options);
  const registered = await fetch(`${server.baseUrl}/passkeys/registration/verify`, {
    method: "POST",
    headers: { ...bearer, "content-type": "application/json" },
    body: JSON.stringify({ response }),
  });
  expect(registered.status).toBe(200);
  return ((await registered.json()) as { id: string; user_id: string }).id;
}

const newUser = (server: UsedServer) => createUser(server.call, { email_address: uniqueEmail("audited-route") });
const addEmail = async (server: UsedServer, userId: string) =>
  (await server.call("POST", `/users/${userId}/emails`, { email: uniqueEmail("more"), verified: true })).body.id as string;
const addPhone = async (server: UsedServer, userId: string) =>
  (await server.call("POST", `/users/${userId}/phones`, { phone_number: uniquePhone(), country_code: "US", verified: true })).body.id as string;
async function webhookApp(server: UsedServer): Promise<string> {
  const slug = `audit-${Math.random().toString(36).slice(2, 10)}`;
  expect((await server.call("POST", "/webhooks/apps", { app_slug: slug, name: slug })).status).toBe(200);
  return slug;
}
async function webhookEndpoint(server: UsedServer, slug: string): Promise<string> {
  const answer = await server.call("POST", `/webhooks/apps/${slug}/endpoints`, {
    url: "http://127.0.0.1:9/hook",
    subscriptions: [{ event_name: "user.created" }],
  });
  expect(answer.status).toBe(200);
  return answer.body.id;
}

/** Every audited write route: "METHOD /openapi/path" → how to call it and the action it records. */
const RECIPES: Record<string, Recipe> = {
  "POST /users": async ({ call }) => ({
    answer: await call("POST", "/users", { email_address: uniqueEmail("new"), password: GOOD_PASSWORD }),
    action: "user.create",
  }),
  "PATCH /users/{userId}": async (s) => ({ answer: await s.call("PATCH", `/users/${(await newUser(s)).id}`, { first_name: "B" }), action: "user.update" }),
  "DELETE /users/{userId}": async (s) => ({ answer: await s.call("DELETE", `/users/${(await newUser(s)).id}`), action: "user.delete" }),
  "POST /users/{userId}/emails": async (s) => ({
    answer: await s.call("POST", `/users/${(await newUser(s)).id}/emails`, { email: uniqueEmail("e") }),
    action: "email.create",
  }),
  "PATCH /users/{userId}/emails/{emailId}": async (s) => {
    const user = await newUser(s);
    return { answer: await s.call("PATCH", `/users/${user.id}/emails/${await addEmail(s, user.id)}`, { verified: true }), action: "email.update" };
  },
  "DELETE /users/{userId}/emails/{emailId}": async (s) => {
    const user = await newUser(s);
    return { answer: await s.call("DELETE", `/users/${user.id}/emails/${await addEmail(s, user.id)}`), action: "email.delete" };
  },
  "POST /users/{userId}/emails/{emailId}/make-primary": async (s) => {
    const user = await newUser(s);
    return { answer: await s.call("POST", `/users/${user.id}/emails/${await addEmail(s, user.id)}/make-primary`), action: "email.make_primary" };
  },
  "POST /users/{userId}/phones": async (s) => ({
    answer: await s.call("POST", `/users/${(await newUser(s)).id}/phones`, { phone_number: uniquePhone(), country_code: "US" }),
    action: "phone.create",
  }),
  "PATCH /users/{userId}/phones/{phoneId}": async (s) => {
    const user = await newUser(s);
    return { answer: await s.call("PATCH", `/users/${user.id}/phones/${await addPhone(s, user.id)}`, { verified: true }), action: "phone.update" };
  },
  "DELETE /users/{userId}/phones/{phoneId}": async (s) => {
    const user = await newUser(s);
    return { answer: await s.call("DELETE", `/users/${user.id}/phones/${await addPhone(s, user.id)}`), action: "phone.delete" };
  },
  "POST /users/{userId}/phones/{phoneId}/make-primary": async (s) => {
    const user = await newUser(s);
    return { answer: await s.call("POST", `/users/${user.id}/phones/${await addPhone(s, user.id)}/make-primary`), action: "phone.make_primary" };
  },
  "PATCH /users/{userId}/password": async (s) => ({
    answer: await s.call("PATCH", `/users/${(await newUser(s)).id}/password`, { new_password: "another good passphrase 77" }),
    action: "password.update",
  }),
  "DELETE /users/{userId}/password": async (s) => ({ answer: await s.call("DELETE", `/users/${(await newUser(s)).id}/password`), action: "password.remove" }),
  "POST /users/{userId}/social-connections": async (s) => {
    const user = await newUser(s);
    return {
      answer: await s.call("POST", `/users/${user.id}/social-connections`, { provider: "google_oauth", provider_user_id: `g-${user.id}` }),
      action: "social_connection.create",
    };
  },
  "DELETE /users/{userId}/social-connections/{connectionId}": async (s) => {
    const user = await newUser(s);
    const connection = await s.call("POST", `/users/${user.id}/social-connections`, { provider: "github_oauth", provider_user_id: `gh-${user.id}` });
    return { answer: await s.call("DELETE", `/users/${user.id}/social-connections/${connection.body.id}`), action: "social_connection.delete" };
  },
  "POST /users/{userId}/sessions/{sessionId}/revoke": async (s) => {
    const user = await newUser(s);
    const sessionId = await insertTestSession(s.db, s.deploymentId, user.id);
    return { answer: await s.call("POST", `/users/${user.id}/sessions/${sessionId}/revoke`), action: "session.revoke" };
  },
  "POST /users/{userId}/sessions/revoke-all": async (s) => ({
    answer: await s.call("POST", `/users/${(await newUser(s)).id}/sessions/revoke-all`),
    action: "session.revoke_all",
  }),
  "POST /users/{userId}/unlock": async (s) => ({ answer: await s.call("POST", `/users/${(await newUser(s)).id}/unlock`), action: "user.unlock" }),
  "POST /api-keys": async ({ call }) => ({ answer: await call("POST", "/api-keys", { name: "audited" }), action: "api_key.create" }),
  "POST /api-keys/{keyId}/revoke": async ({ call }) => {
    const key = await call("POST", "/api-keys", { name: "to revoke" });
    return { answer: await call("POST", `/api-keys/${key.body.api_key.id}/revoke`), action: "api_key.revoke" };
  },
  "POST /webhooks/apps": async ({ call }) => ({
    answer: await call("POST", "/webhooks/apps", { app_slug: "audited-app", name: "A" }),
    action: "webhook_app.create",
  }),
  "PATCH /webhooks/apps/{appSlug}": async (s) => ({
    answer: await s.call("PATCH", `/webhooks/apps/${await webhookApp(s)}`, { name: "Renamed" }),
    action: "webhook_app.update",
  }),
  "DELETE /webhooks/apps/{appSlug}": async (s) => ({ answer: await s.call("DELETE", `/webhooks/apps/${await webhookApp(s)}`), action: "webhook_app.delete" }),
  "POST /webhooks/apps/{appSlug}/rotate-secret": async (s) => ({
    answer: await s.call("POST", `/webhooks/apps/${await webhookApp(s)}/rotate-secret`),
    action: "webhook_app.rotate_secret",
  }),
  "POST /webhooks/apps/{appSlug}/trigger": async (s) => ({
    answer: await s.call("POST", `/webhooks/apps/${await webhookApp(s)}/trigger`, { event_name: "invoice.paid", payload: { n: 1 } }),
    action: "webhook_event.trigger",
  }),
  "POST /webhooks/apps/{appSlug}/endpoints": async (s) => ({
    answer: await s.call("POST", `/webhooks/apps/${await webhookApp(s)}/endpoints`, { url: "http://127.0.0.1:9/hook", subscriptions: [] }),
    action: "webhook_endpoint.create",
  }),
  "PATCH /webhooks/apps/{appSlug}/endpoints/{endpointId}": async (s) => {
    const slug = await webhookApp(s);
    return {
      answer: await s.call("PATCH", `/webhooks/apps/${slug}/endpoints/${await webhookEndpoint(s, slug)}`, { description: "changed" }),
      action: "webhook_endpoint.update",
    };
  },
  "DELETE /webhooks/apps/{appSlug}/endpoints/{endpointId}": async (s) => {
    const slug = await webhookApp(s);
    return { answer: await s.call("DELETE", `/webhooks/apps/${slug}/endpoints/${await webhookEndpoint(s, slug)}`), action: "webhook_endpoint.delete" };
  },
  "POST /webhooks/endpoints/{endpointId}/reactivate": async (s) => {
    const endpointId = await webhookEndpoint(s, await webhookApp(s));
    return { answer: await s.call("POST", `/webhooks/endpoints/${endpointId}/reactivate`), action: "webhook_endpoint.reactivate" };
  },
  "POST /webhooks/apps/{appSlug}/deliveries/replay": async (s) => {
    const slug = await webhookApp(s);
    await webhookEndpoint(s, slug);
    return {
      answer: await s.call("POST", `/webhooks/apps/${slug}/deliveries/replay`, { start_date: new Date(Date.now() - 60_000).toISOString() }),
      action: "webhook_delivery.replay",
    };
  },
  "POST /users/{userId}/authenticators": async (s) => ({
    answer: await s.call("POST", `/users/${(await newUser(s)).id}/authenticators`, { secret: newTotpSecret() }),
    action: "authenticator.create",
  }),
  "DELETE /users/{userId}/authenticators": async (s) => {
    const user = await newUser(s);
    await enrolTotp(s.call, user.id);
    return { answer: await s.call("DELETE", `/users/${user.id}/authenticators`), action: "authenticator.delete" };
  },
  "POST /users/{userId}/backup-codes/regenerate": async (s) => ({
    answer: await s.call("POST", `/users/${(await newUser(s)).id}/backup-codes/regenerate`),
    action: "backup_codes.regenerate",
  }),
  "POST /users/{userId}/verify-totp": async (s) => {
    const user = await newUser(s);
    const secret = await enrolTotp(s.call, user.id);
    return { answer: await s.call("POST", `/users/${user.id}/verify-totp`, { code: totpAt(secret, Date.now()) }), action: "authenticator.use" };
  },
  "PATCH /users/{userId}/passkeys/{passkeyId}": async (s) => {
    const user = await newUser(s);
    const passkeyId = await passkeyOf(s, user.id, user.primary_email_address);
    return { answer: await s.call("PATCH", `/users/${user.id}/passkeys/${passkeyId}`, { name: "Renamed" }), action: "passkey.update" };
  },
  "DELETE /users/{userId}/passkeys/{passkeyId}": async (s) => {
    const user = await newUser(s);
    const passkeyId = await passkeyOf(s, user.id, user.primary_email_address);
    return { answer: await s.call("DELETE", `/users/${user.id}/passkeys/${passkeyId}`), action: "passkey.delete" };
  },
  "POST /oauth-providers": async ({ call }) => ({
    answer: await call("POST", "/oauth-providers", { provider: "google_oauth", client_id: "c", client_secret: "route-secret" }),
    action: "oauth_provider.create",
  }),
  "PATCH /oauth-providers/{provider}": async ({ call }) => {
    await call("POST", "/oauth-providers", { provider: "github_oauth", client_id: "c", client_secret: "route-secret" });
    return { answer: await call("PATCH", "/oauth-providers/github_oauth", { enabled: false }), action: "oauth_provider.update" };
  },
  "DELETE /oauth-providers/{provider}": async ({ call }) => {
    await call("POST", "/oauth-providers", { provider: "microsoft_oauth", client_id: "c", client_secret: "route-secret" });
    return { answer: await call("DELETE", "/oauth-providers/microsoft_oauth"), action: "oauth_provider.delete" };
  },
  "PATCH /oauth-settings": async ({ call }) => ({
    answer: await call("PATCH", "/oauth-settings", { redirect_urls: ["https://app.example/after"] }),
    action: "oauth_settings.update",
  }),
  "POST /users/import": async ({ call }) => ({
    answer: await call("POST", "/users/import", { users: [{ email_addresses: [{ email: uniqueEmail("imported"), verified: true }] }] }),
    action: "user.import",
  }),
};

/**
 * Every Backend API operation that is not a GET — read from the server's own OpenAPI document, so
 * a route added without an audit entry fails here — appends its audit entry, with the request's id.
 */
describe.each(DIALECTS)("every Backend API write route is audited on %s", (dialect) => {
  const server = useServer(dialect, { config: { webhookAllowPrivateNetworks: true } });
  const writeOperations: string[] = [];

  beforeAll(async () => {
    const spec = await (await fetch(`${server.baseUrl}/openapi.json`)).json();
    for (const [path, operations] of Object.entries<Record<string, any>>(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (method === "get" || method === "head" || method === "options") continue;
        // The Frontend API (end users, no API key) and the console's own sign-in are not the Backend API.
        const isBackendApi = !(Array.isArray(operation.security) && operation.security.length === 0) && !path.startsWith("/console/");
        if (isBackendApi) writeOperations.push(`${method.toUpperCase()} ${path}`);
      }
    }
  });

  it("the OpenAPI document's write operations are each audited here, or say why not", () => {
    expect(writeOperations.length).toBeGreaterThan(40);
    const unaccounted = writeOperations.filter((operation) => !RECIPES[operation] && !CHANGES_NOTHING[operation]);
    expect(unaccounted, "write routes with no audit recipe: add one to RECIPES (and the audit entry to the route)").toEqual([]);
    const stale = [...Object.keys(RECIPES), ...Object.keys(CHANGES_NOTHING)].filter((operation) => !writeOperations.includes(operation));
    expect(stale, "entries for routes the document no longer has").toEqual([]);
  });

  it("each audited write route appends its entry with the request's id, the key as actor, and no secret", async () => {
    const missing: string[] = [];
    for (const [operation, recipe] of Object.entries(RECIPES)) {
      const { answer, action } = await recipe(server);
      expect([operation, answer.status, answer.status === 200 ? "" : answer.body]).toEqual([operation, 200, ""]);
      const requestId = answer.headers.get("x-request-id");
      const entries = (await server.call("GET", `/audit-logs?action=${action}&limit=100`)).body.data as any[];
      const entry = entries.find((candidate) => candidate.request_id === requestId);
      if (!entry) missing.push(`${operation} → ${action}`);
      else expect(entry.actor).toMatchObject({ type: "api_key", name: "test" });
    }
    expect(missing).toEqual([]);
    const everything = JSON.stringify((await server.call("GET", "/audit-logs?limit=100")).body);
    for (const secret of ["route-secret", "another good passphrase 77", "whsec_", "$argon2", server.apiKey]) expect(everything).not.toContain(secret);
  }, 120_000);
});
