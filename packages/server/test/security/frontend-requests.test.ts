import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser } from "../helpers/fixtures.js";
import { decodeJwt, frontendClient, type FrontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

async function post(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: "POST", headers });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

async function tokenWith(baseUrl: string, headers: Record<string, string>) {
  const response = await fetch(`${baseUrl}/session/token`, { headers });
  return { status: response.status, body: await response.json() };
}

describe.each(DIALECTS)("frontend requests from browsers on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let frontend: FrontendClient;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
    frontend = frontendClient(server.baseUrl);
  });
  afterAll(async () => server?.close());

  async function signedIn(): Promise<string> {
    const user = await createUser(call);
    return (await frontend.signIn(user.primary_email_address, GOOD_PASSWORD)).body.token;
  }

  it("refuses a cookie-authenticated sign-out sent by another site's page, and keeps the session", async () => {
    const credential = await signedIn();
    for (const headers of [{ "sec-fetch-site": "cross-site" }, { origin: "https://evil.example" }, { origin: "null" }]) {
      const refused = await post(`${server.baseUrl}/sign-out`, { cookie: `__session=${credential}`, ...headers });
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.body.code).toBe("cross_site_request");
    }
    expect((await frontend.sessionToken({ cookie: credential })).status).toBe(200);
    // From its own origin (or from no browser at all) it works.
    expect(
      (await post(`${server.baseUrl}/sign-out`, { cookie: `__session=${credential}`, origin: server.baseUrl, "sec-fetch-site": "same-origin" })).status,
    ).toBe(200);
    expect((await frontend.sessionToken({ cookie: credential })).status).toBe(401);
  });

  it("refuses a sign-in posted by another site's page (login CSRF)", async () => {
    const user = await createUser(call);
    const refused = await frontend.signIn(user.primary_email_address, GOOD_PASSWORD, { origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    expect(refused.status).toBe(403);
    expect(refused.headers.getSetCookie()).toEqual([]);
  });

  it("does not let a bad cookie mask a valid Bearer credential", async () => {
    const credential = await signedIn();
    const answer = await tokenWith(server.baseUrl, { cookie: "__session=ses_bogus.bogus", authorization: `Bearer ${credential}` });
    expect(answer.status).toBe(200);
  });

  it("trusts no value of a cookie sent twice with different values (one planted by a sibling subdomain)", async () => {
    const credential = await signedIn();
    expect((await tokenWith(server.baseUrl, { cookie: `__session=ses_planted.x; __session=${credential}` })).status).toBe(401);
    expect((await tokenWith(server.baseUrl, { cookie: `__session=${credential}; __session=ses_planted.x` })).status).toBe(401);
    // The same value twice is one cookie; a __Host- cookie (which no subdomain can set) wins over __session.
    expect((await tokenWith(server.baseUrl, { cookie: `__session=${credential}; __session=${credential}` })).status).toBe(200);
    expect((await tokenWith(server.baseUrl, { cookie: `__session=ses_planted.x; __Host-session=${credential}` })).status).toBe(200);
  });

  it("puts the page's origin in the token's azp when the request names a valid one", async () => {
    const credential = await signedIn();
    const withOrigin = await tokenWith(server.baseUrl, { cookie: `__session=${credential}`, origin: "https://app.example.com" });
    expect(decodeJwt(withOrigin.body.data.token).payload.azp).toBe("https://app.example.com");
    for (const origin of [undefined, "null", "https://app.example.com/path", "javascript:alert(1)"]) {
      const answer = await tokenWith(server.baseUrl, { cookie: `__session=${credential}`, ...(origin && { origin }) });
      expect(answer.status, origin).toBe(200);
      expect(decodeJwt(answer.body.data.token).payload, origin).not.toHaveProperty("azp");
    }
  });
});

describe.each(DIALECTS)("the session cookie over https on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    // The frontend API is announced on https (behind a TLS-terminating proxy); requests reach us over http.
    server = await startServer(dialect, { config: { frontendApiUrl: "https://auth.example.com" } });
  });
  afterAll(async () => server?.close());

  it("is a __Host- cookie, Secure, Path=/, without Domain, and the plain name is cleared", async () => {
    const user = await createUser(apiClient(server.baseUrl, server.apiKey));
    const signedIn = await frontendClient(server.baseUrl).signIn(user.primary_email_address, GOOD_PASSWORD);
    expect(signedIn.status).toBe(200);
    const cookies = signedIn.headers.getSetCookie();
    const host = cookies.find((line) => line.startsWith("__Host-session="))!;
    expect(host.split("; ").slice(1)).toEqual(expect.arrayContaining(["Path=/", "HttpOnly", "SameSite=Lax", "Secure"]));
    expect(host).not.toMatch(/Domain=/i);
    expect(host.startsWith(`__Host-session=${signedIn.body.token};`)).toBe(true);
    expect(cookies).toContain("__session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure");
    // The published client forwards it as __session: still accepted.
    expect((await tokenWith(server.baseUrl, { cookie: `__session=${signedIn.body.token}` })).status).toBe(200);
    expect((await tokenWith(server.baseUrl, { cookie: `__Host-session=${signedIn.body.token}` })).status).toBe(200);
  });
});
