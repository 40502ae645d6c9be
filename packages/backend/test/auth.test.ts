import { request as httpRequest } from "node:http";
import * as published from "wacht-published";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  WachtAuthError,
  WachtClient,
  authFromHeaders,
  authenticateRequest,
  exchangeSessionForAuthToken,
  getAuth,
  getAuthFromToken,
  parseFrontendApiUrlFromPublishableKey,
  verifyAuthToken,
} from "../src/index.js";
import { startLocalServer, type LocalServer } from "./helpers/local-server.js";
import { startRealServer, uniqueEmail, type RealServer } from "./helpers/real-server.js";

/*
 * Session tokens from a real @wacht/server, verified with our SDK. The server's frontend API is
 * reached through a small counting proxy (its URL is the frontend API URL, so it is also every
 * token's issuer): that is how the tests see how often the JWKS is fetched.
 */

const PASSWORD = "correct horse battery staple 42";
// Computed, so typechecking this package does not pull in the server's sources.
const SIGNING_KEYS_MODULE = "../../server/src/signing-keys/signing-keys.service.js";

const publishableKeyFor = (url: string) => `pk_test_${Buffer.from(url).toString("base64")}`;
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));

interface Proxied {
  server: RealServer;
  proxy: LocalServer;
  client: WachtClient;
  publishableKey: string;
  jwksFetches: () => number;
  close(): Promise<void>;
}

/** A real server behind a proxy on 127.0.0.1 that forwards every request and counts them. */
async function startProxiedServer(config: Record<string, unknown> = {}): Promise<Proxied> {
  let target = "";
  const proxy = await startLocalServer((request, response) => {
    const url = new URL(request.url, target);
    const forwarded = httpRequest(
      { host: url.hostname, port: url.port, method: request.method, path: url.pathname + url.search, headers: { ...request.headers, host: url.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.end(request.body);
  });
  const server = await startRealServer({ frontendApiUrl: proxy.baseUrl, ...config });
  target = server.baseUrl;
  return {
    server,
    proxy,
    client: new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl, maxRetries: 0 }),
    publishableKey: publishableKeyFor(proxy.baseUrl),
    jwksFetches: () => proxy.requests.filter((request) => request.url === "/.well-known/jwks.json").length,
    close: async () => {
      await server.close();
      await proxy.close();
    },
  };
}

async function signIn(target: Proxied): Promise<{ userId: string; sessionId: string; credential: string }> {
  const email = uniqueEmail("auth");
  const user = await target.client.users.createUser({ first_name: "Auth", last_name: "Test", email_address: email, password: PASSWORD });
  const response = await fetch(`${target.proxy.baseUrl}/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identifier: email, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { session_id: string; token: string };
  return { userId: user.id, sessionId: body.session_id, credential: body.token };
}

async function sessionToken(target: Proxied, credential: string): Promise<string> {
  const response = await fetch(`${target.proxy.baseUrl}/session/token`, { headers: { cookie: `__session=${credential}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { token: string } }).data.token;
}

const bearer = (token: string) => new Request("http://app.test/api/orders", { headers: { authorization: `Bearer ${token}` } });

describe("session tokens", () => {
  let target: Proxied;
  beforeAll(async () => {
    target = await startProxiedServer();
  }, 60_000);
  afterAll(() => target?.close());

  it("verifyAuthToken, getAuth and authenticateRequest accept a token the server minted", async () => {
    const { userId, sessionId, credential } = await signIn(target);
    const token = await sessionToken(target, credential);
    const options = { publishableKey: target.publishableKey };

    expect(await verifyAuthToken(token, options)).toMatchObject({ iss: target.proxy.baseUrl, sub: userId, sid: sessionId });

    const auth = await getAuth(bearer(token), options);
    expect(auth).toMatchObject({ userId, sessionId, organizationId: null, workspaceId: null, organizationPermissions: [], workspacePermissions: [] });
    expect(auth.has({})).toBe(true);
    expect(auth.has({ permission: "orders:write" })).toBe(false);
    await expect(auth.protect()).resolves.toBeUndefined();
    await expect(auth.protect({ permission: "orders:write" })).rejects.toMatchObject({ name: "WachtAuthError", code: "forbidden", status: 403 });
    expect((await getAuthFromToken(token, options)).userId).toBe(userId);

    const { auth: fromRequest, headers } = await authenticateRequest(bearer(token), options);
    expect(fromRequest.userId).toBe(userId);
    // Signed, not plain JSON: test/auth-headers.test.ts covers forgery and expiry.
    expect(headers.get("x-wacht-auth")).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(authFromHeaders(headers)).toMatchObject({ userId, sessionId });
    expect(authFromHeaders(headers).has({})).toBe(true);
    expect(authFromHeaders(new Headers()).userId).toBeNull();
  });

  it("reads the publishable key from WACHT_PUBLISHABLE_KEY, and says so when there is none", async () => {
    const { userId, credential } = await signIn(target);
    const token = await sessionToken(target, credential);
    const saved = { key: process.env.WACHT_PUBLISHABLE_KEY, nextKey: process.env.NEXT_PUBLIC_WACHT_PUBLISHABLE_KEY };
    delete process.env.NEXT_PUBLIC_WACHT_PUBLISHABLE_KEY;
    try {
      process.env.WACHT_PUBLISHABLE_KEY = target.publishableKey;
      expect((await verifyAuthToken(token))?.sub).toBe(userId);
      expect((await getAuth(bearer(token))).userId).toBe(userId);
      delete process.env.WACHT_PUBLISHABLE_KEY;
      await expect(verifyAuthToken(token)).rejects.toThrow(/WACHT_PUBLISHABLE_KEY/);
    } finally {
      if (saved.key === undefined) delete process.env.WACHT_PUBLISHABLE_KEY;
      else process.env.WACHT_PUBLISHABLE_KEY = saved.key;
      if (saved.nextKey !== undefined) process.env.NEXT_PUBLIC_WACHT_PUBLISHABLE_KEY = saved.nextKey;
    }
  });

  it("fetches the JWKS once and serves later verifications from memory", async () => {
    const options = { publishableKey: target.publishableKey };
    const tokens = await Promise.all(
      [signIn(target), signIn(target), signIn(target)].map(async (signedIn) => sessionToken(target, (await signedIn).credential)),
    );
    for (const token of tokens) expect(await verifyAuthToken(token, options)).not.toBeNull();
    for (const token of tokens) expect((await getAuth(bearer(token), options)).userId).not.toBeNull();
    expect(target.jwksFetches()).toBe(1);
  });

  it("refuses tampered tokens, foreign issuers and missing tokens as signed out", async () => {
    const { credential } = await signIn(target);
    const token = await sessionToken(target, credential);
    const options = { publishableKey: target.publishableKey };
    const [header, , signature] = token.split(".");
    const otherClaims = Buffer.from(JSON.stringify({ ...payloadOf(token), sub: "usr_someoneelse" })).toString("base64url");
    expect(await verifyAuthToken(`${header}.${otherClaims}.${signature}`, options)).toBeNull();
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${otherClaims}.`;
    expect(await verifyAuthToken(unsigned, options)).toBeNull();
    expect(await verifyAuthToken("not a jwt", options)).toBeNull();
    expect(await verifyAuthToken(token, { ...options, requiredIssuer: "https://someone-else.example" })).toBeNull();

    const signedOut = await getAuth(new Request("http://app.test/"), options);
    expect(signedOut).toMatchObject({ userId: null, sessionId: null });
    expect(signedOut.has({})).toBe(false);
    const refusal = await signedOut.protect({ redirectUrl: "/sign-in" }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(WachtAuthError);
    expect(refusal).toMatchObject({ code: "unauthenticated", status: 401, redirectUrl: "/sign-in" });
  });

  it("exchangeSessionForAuthToken trades the session cookie for a token, and gets nothing once signed out", async () => {
    const { userId, credential } = await signIn(target);
    const options = { publishableKey: target.publishableKey };
    const exchanged = await exchangeSessionForAuthToken(credential, options);
    expect(exchanged.authToken).not.toBeNull();
    expect(exchanged.authTokenExpiresAt).toBe(payloadOf(exchanged.authToken!).exp);
    expect((await verifyAuthToken(exchanged.authToken!, options))?.sub).toBe(userId);

    const signOut = await fetch(`${target.proxy.baseUrl}/sign-out`, { method: "POST", headers: { cookie: `__session=${credential}` } });
    expect(signOut.status).toBe(200);
    const refused = await exchangeSessionForAuthToken(credential, options);
    expect(refused).toMatchObject({ authToken: null, authTokenExpiresAt: null });
    expect(refused.upstreamSessionSetCookie).toMatch(/^__session=;.*Max-Age=0/);
  });

  it("picks up a rotated-in key at once and keeps verifying tokens of the old one", async () => {
    const options = { publishableKey: target.publishableKey };
    const { userId, credential } = await signIn(target);
    const before = await sessionToken(target, credential);
    expect((await verifyAuthToken(before, options))?.sub).toBe(userId);
    const fetchesBefore = target.jwksFetches();

    const { rotateSigningKey } = (await import(SIGNING_KEYS_MODULE)) as {
      rotateSigningKey(db: unknown, secretBox: unknown, deploymentId: string): Promise<{ activeKeyId: string }>;
    };
    // The server helper hands back the whole test server: its database and default deployment.
    const internals = target.server as RealServer & { db: unknown; deploymentId: string; app: { secretBox: unknown } };
    const { activeKeyId } = await rotateSigningKey(internals.db, internals.app.secretBox, internals.deploymentId);

    const after = await sessionToken(target, credential);
    expect(JSON.parse(Buffer.from(after.split(".")[0]!, "base64url").toString("utf8")).kid).toBe(activeKeyId);
    expect((await verifyAuthToken(after, options))?.sub).toBe(userId);
    expect((await verifyAuthToken(before, options))?.sub).toBe(userId);
    expect(target.jwksFetches()).toBe(fetchesBefore + 1);
  });
});

describe("expiry", () => {
  let target: Proxied;
  beforeAll(async () => {
    target = await startProxiedServer({ sessionTokenLifetimeSeconds: 1 });
  }, 60_000);
  afterAll(() => target?.close());

  it("refuses an expired token, unless the clock skew allowed covers it", async () => {
    const { credential } = await signIn(target);
    const token = await sessionToken(target, credential);
    const { exp } = payloadOf(token);
    // Wait for the token's one-second life to end (this asserts nothing about how long anything takes).
    while (Date.now() / 1000 <= exp + 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await verifyAuthToken(token, { publishableKey: target.publishableKey })).toBeNull();
    expect(await verifyAuthToken(token, { publishableKey: target.publishableKey, clockSkewInMs: 60_000 })).not.toBeNull();
    expect(await published.verifyAuthToken(token, { publishableKey: target.publishableKey })).toBeNull();
  });
});

describe("parseFrontendApiUrlFromPublishableKey", () => {
  const encode = (text: string) => Buffer.from(text).toString("base64");
  const keys = [
    `pk_test_${encode("http://127.0.0.1:3000")}`,
    `pk_live_${encode("https://auth.example.com")}`,
    `pk_test_${encode("https://auth.example.com/path?q=1")}`,
    `pk_test_${encode("http://127.0.0.1:45")}`,
    `pk_test_${encode("http://127.0.0.1:45").replace(/=+$/, "")}`,
    `  pk_test_${encode("http://127.0.0.1:3000")}  `,
    `pk_test_${encode("http://127.0.0.1:3000$")}`,
    `pk_test_${encode("auth.example.com")}`,
    "pk_test_",
    "pk_test_!!!",
    `sk_test_${encode("http://127.0.0.1:3000")}`,
    "",
    undefined,
  ];

  it.each(keys)("reads %j as the published client does", (key) => {
    expect(parseFrontendApiUrlFromPublishableKey(key)).toBe(published.parseFrontendApiUrlFromPublishableKey(key));
  });

  it("decodes the server's keys to their origin", () => {
    expect(parseFrontendApiUrlFromPublishableKey(`pk_test_${encode("http://127.0.0.1:3000")}`)).toBe("http://127.0.0.1:3000");
    expect(parseFrontendApiUrlFromPublishableKey(`pk_live_${encode("https://auth.example.com")}`)).toBe("https://auth.example.com");
  });
});
