import { SignJWT, createLocalJWKSet, generateKeyPair, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exchangeSessionForAuthToken, getAuth, verifyAuthToken } from "wacht-published";
import { RETIRED_KEY_GRACE_MS, listPublishedKeys, rotateSigningKey, signSessionToken } from "../../src/signing-keys/signing-keys.service.js";
import { apiClient, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, RFC3339_UTC, createUser } from "../helpers/fixtures.js";
import { decodeJwt, frontendClient, publishableKeyFor, sessionCookieOf, type FrontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const HOUR_MS = 60 * 60 * 1000;

describe.each(DIALECTS)("session tokens on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let frontend: FrontendClient;
  let publishableKey: string;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
    frontend = frontendClient(server.baseUrl);
    publishableKey = publishableKeyFor(server.baseUrl);
  });
  afterAll(async () => server?.close());

  async function signedInUser(): Promise<{ user: any; sessionId: string; credential: string }> {
    const user = await createUser(call);
    const response = await frontend.signIn(user.primary_email_address, GOOD_PASSWORD);
    expect(response.status).toBe(200);
    return { user, sessionId: response.body.session_id, credential: response.body.token };
  }

  async function sessionRow(sessionId: string) {
    return server.db.selectFrom("sessions").select(["expires_at", "last_active_at", "revoked_at"]).where("id", "=", sessionId).executeTakeFirstOrThrow();
  }

  async function expectRefused(credential: string) {
    const response = await frontend.sessionToken({ cookie: credential });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: "session_invalid", errors: [{ code: 401 }] });
    // The browser is told to drop the dead cookie.
    expect(sessionCookieOf(response.headers)).toBe("");
  }

  describe("minting and verifying", () => {
    it("trades the session cookie for a token the published client verifies, unchanged", async () => {
      const { user, sessionId, credential } = await signedInUser();
      const beforeS = Math.floor(Date.now() / 1000);
      const response = await frontend.sessionToken({ cookie: credential });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.body).toEqual({ data: { token: expect.any(String), expires: expect.any(Number) } });
      const { token, expires } = response.body.data;

      const { header, payload } = decodeJwt(token);
      expect(header).toMatchObject({ alg: "ES256", kid: expect.stringMatching(/^sig_/) });
      expect(payload).toEqual({ iss: server.baseUrl, sub: user.id, sid: sessionId, iat: expect.any(Number), nbf: payload.iat, exp: expires });
      expect(payload.iat).toBeGreaterThanOrEqual(beforeS);
      expect(expires - payload.iat).toBe(60);

      const verified = await verifyAuthToken(token, { publishableKey });
      expect(verified).toMatchObject({ sub: user.id, sid: sessionId, iss: server.baseUrl });

      const auth = await getAuth(new Request("http://app.test/api", { headers: { authorization: `Bearer ${token}` } }), { publishableKey });
      expect(auth).toMatchObject({ userId: user.id, sessionId });

      // The published client's own cookie exchange reaches /session/token the way an app backend does.
      const exchanged = await exchangeSessionForAuthToken(credential, { publishableKey });
      expect(exchanged.authToken).toEqual(expect.any(String));
      expect(exchanged.authTokenExpiresAt).toBe(decodeJwt(exchanged.authToken!).payload.exp);
      expect(await verifyAuthToken(exchanged.authToken!, { publishableKey })).toMatchObject({ sub: user.id, sid: sessionId });
    });

    it("accepts the credential as a bearer token from clients without cookies", async () => {
      const { user, credential } = await signedInUser();
      const response = await frontend.sessionToken({ bearer: credential });
      expect(response.status).toBe(200);
      expect(sessionCookieOf(response.headers)).toBeNull();
      expect(decodeJwt(response.body.data.token).payload.sub).toBe(user.id);
    });

    it("refuses no credential, a malformed one and a forged secret", async () => {
      const { sessionId } = await signedInUser();
      expect((await frontend.sessionToken({})).status).toBe(401);
      await expectRefused("garbage");
      await expectRefused(`${sessionId}.${"0".repeat(32)}`);
      await expectRefused(`${sessionId}`);
    });

    it("publishes public keys only, under the kid tokens name", async () => {
      const { credential } = await signedInUser();
      const token = (await frontend.sessionToken({ cookie: credential })).body.data.token;
      const response = await fetch(`${server.baseUrl}/.well-known/jwks.json`);
      expect(response.status).toBe(200);
      const text = await response.text();
      const jwks = JSON.parse(text);
      expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
      for (const key of jwks.keys) {
        expect(Object.keys(key).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
        expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      }
      expect(text).not.toMatch(/"d"/);
      expect(jwks.keys.map((key: any) => key.kid)).toContain(decodeJwt(token).header.kid);
      // The standard way to verify works too, not only the published client.
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: server.baseUrl, algorithms: ["ES256"] });
      expect(payload.sub).toEqual(expect.stringMatching(/^usr_/));
    });

    it("refuses tampered, foreign-signed, expired and wrong-issuer tokens", async () => {
      const { user, sessionId, credential } = await signedInUser();
      const token: string = (await frontend.sessionToken({ cookie: credential })).body.data.token;
      const [header, payload, signature] = token.split(".") as [string, string, string];

      const otherClaims = Buffer.from(JSON.stringify({ ...decodeJwt(token).payload, sub: "usr_someoneelse" })).toString("base64url");
      expect(await verifyAuthToken(`${header}.${otherClaims}.${signature}`, { publishableKey })).toBeNull();
      const flipped = signature.slice(0, 10) + (signature[10] === "A" ? "B" : "A") + signature.slice(11);
      expect(await verifyAuthToken(`${header}.${payload}.${flipped}`, { publishableKey })).toBeNull();

      // Signed with a key of our own making, under the server's kid.
      const { privateKey } = await generateKeyPair("ES256");
      const forged = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: "ES256", kid: decodeJwt(token).header.kid })
        .setIssuer(server.baseUrl)
        .setSubject(user.id)
        .setIssuedAt()
        .setExpirationTime("1m")
        .sign(privateKey);
      expect(await verifyAuthToken(forged, { publishableKey })).toBeNull();

      // A token the server really signed, ten minutes ago, with a one-minute life.
      const expired = await signSessionToken(
        server.db,
        server.deploymentId,
        { issuer: server.baseUrl, userId: user.id, sessionId },
        { nowMs: Date.now() - 10 * 60_000, lifetimeSeconds: 60, secretBox: server.app.secretBox },
      );
      expect(expired.expires).toBeLessThan(Date.now() / 1000);
      expect(await verifyAuthToken(expired.token, { publishableKey })).toBeNull();
      const fresh = await signSessionToken(
        server.db,
        server.deploymentId,
        { issuer: server.baseUrl, userId: user.id, sessionId },
        { nowMs: Date.now(), lifetimeSeconds: 60, secretBox: server.app.secretBox },
      );
      expect(await verifyAuthToken(fresh.token, { publishableKey })).toMatchObject({ sub: user.id });

      expect(await verifyAuthToken(token, { publishableKey, requiredIssuer: "https://someone-else.example" })).toBeNull();
      expect(await verifyAuthToken(token, { publishableKey })).toMatchObject({ sub: user.id });
    });
  });

  describe("ending sessions takes effect at once", () => {
    const cases: Array<[name: string, end: (userId: string, sessionId: string) => Promise<void>]> = [
      [
        "revoking the session",
        async (userId, sessionId) => void expect((await call("POST", `/users/${userId}/sessions/${sessionId}/revoke`)).status).toBe(200),
      ],
      ["revoking all sessions", async (userId) => void expect((await call("POST", `/users/${userId}/sessions/revoke-all`)).body).toEqual({ revoked: 1 })],
      ["disabling the user", async (userId) => void expect((await call("PATCH", `/users/${userId}`, { disabled: true })).status).toBe(200)],
      ["deleting the user", async (userId) => void expect((await call("DELETE", `/users/${userId}`)).status).toBe(200)],
      [
        "resetting the password",
        async (userId) => void expect((await call("PATCH", `/users/${userId}/password`, { new_password: "a brand new passphrase 9" })).status).toBe(200),
      ],
    ];

    it.each(cases)("%s", async (_name, end) => {
      const { user, sessionId, credential } = await signedInUser();
      expect((await frontend.sessionToken({ cookie: credential })).status).toBe(200);
      await end(user.id, sessionId);
      await expectRefused(credential);
      expect((await frontend.sessionToken({ bearer: credential })).status).toBe(401);
    });

    it("keeps sessions through a password change with revoke_sessions: false, and not through re-enabling", async () => {
      const { user, credential } = await signedInUser();
      expect((await call("PATCH", `/users/${user.id}/password`, { new_password: "another fine passphrase 3", revoke_sessions: false })).status).toBe(200);
      expect((await frontend.sessionToken({ cookie: credential })).status).toBe(200);
      expect((await call("PATCH", `/users/${user.id}`, { disabled: true })).status).toBe(200);
      expect((await call("PATCH", `/users/${user.id}`, { disabled: false })).status).toBe(200);
      await expectRefused(credential);
    });

    it("refuses an expired session and leaves it out of the default list", async () => {
      const { user, sessionId, credential } = await signedInUser();
      await server.db
        .updateTable("sessions")
        .set({ expires_at: Date.now() - 1000 })
        .where("id", "=", sessionId)
        .execute();
      await expectRefused(credential);
      expect((await call("GET", `/users/${user.id}/sessions`)).body.data).toEqual([]);
      expect((await call("GET", `/users/${user.id}/sessions?include_expired=true`)).body.data.map((s: any) => s.id)).toEqual([sessionId]);
    });
  });

  describe("sliding expiry", () => {
    it("extends the session at most once an hour, and re-sets the cookie when it does", async () => {
      const { user, sessionId, credential } = await signedInUser();
      const atSignIn = await sessionRow(sessionId);
      const unchanged = await frontend.sessionToken({ cookie: credential });
      expect(unchanged.status).toBe(200);
      expect(sessionCookieOf(unchanged.headers)).toBeNull();
      expect(await sessionRow(sessionId)).toEqual(atSignIn);

      // Last used two hours ago, and about to expire.
      const twoHoursAgo = Date.now() - 2 * HOUR_MS;
      await server.db
        .updateTable("sessions")
        .set({ last_active_at: twoHoursAgo, expires_at: Date.now() + HOUR_MS })
        .where("id", "=", sessionId)
        .execute();
      const beforeMs = Date.now();
      const extended = await frontend.sessionToken({ cookie: credential });
      expect(extended.status).toBe(200);
      const row = await sessionRow(sessionId);
      expect(row.last_active_at).toBeGreaterThanOrEqual(beforeMs);
      expect(row.expires_at).toBeGreaterThanOrEqual(beforeMs + 30 * 24 * HOUR_MS);
      expect(row.expires_at).toBeLessThanOrEqual(Date.now() + 30 * 24 * HOUR_MS);
      expect(sessionCookieOf(extended.headers)).toBe(credential);
      expect(extended.headers.getSetCookie().join()).toMatch(/Max-Age=259\d{4}/);

      const listed = (await call("GET", `/users/${user.id}/sessions`)).body.data[0];
      expect(listed.expires_at).toBe(new Date(row.expires_at).toISOString());
      expect(listed.last_active_at).toMatch(RFC3339_UTC);
      expect(Date.parse(listed.last_active_at)).toBe(row.last_active_at);
    });
  });
});

describe.each(DIALECTS)("signing key rotation on %s", (dialect) => {
  // A server of its own: the published client caches JWKS by URL for the whole process.
  let server: TestServer;
  let frontend: FrontendClient;
  let publishableKey: string;
  beforeAll(async () => {
    server = await startServer(dialect);
    frontend = frontendClient(server.baseUrl);
    publishableKey = publishableKeyFor(server.baseUrl);
  });
  afterAll(async () => server?.close());

  it("keeps verifying tokens of the old key until they expire, and signs new ones with the new key", async () => {
    const user = await createUser(apiClient(server.baseUrl, server.apiKey));
    const credential = (await frontend.signIn(user.primary_email_address, GOOD_PASSWORD)).body.token;
    const before = (await frontend.sessionToken({ cookie: credential })).body.data.token;
    const oldKid = decodeJwt(before).header.kid;
    expect(await verifyAuthToken(before, { publishableKey })).toMatchObject({ sub: user.id });

    const { activeKeyId, retiredKeyId } = await rotateSigningKey(server.db, server.app.secretBox, server.deploymentId);
    expect(retiredKeyId).toBe(oldKid);
    expect(activeKeyId).not.toBe(oldKid);

    const after = (await frontend.sessionToken({ cookie: credential })).body.data.token;
    expect(decodeJwt(after).header.kid).toBe(activeKeyId);
    const kids = (await frontend.jwks()).body.keys.map((key: any) => key.kid);
    expect(kids).toEqual([activeKeyId, oldKid]);
    expect(await verifyAuthToken(before, { publishableKey })).toMatchObject({ sub: user.id });
    expect(await verifyAuthToken(after, { publishableKey })).toMatchObject({ sub: user.id });

    // Once every token the old key signed has expired (60 s, plus the grace for clock skew), it is no longer published.
    const lifetime = { tokenLifetimeSeconds: 60, secretBox: server.app.secretBox };
    const stillPublished = await listPublishedKeys(server.db, server.deploymentId, { nowMs: Date.now() + 60_000, ...lifetime });
    expect(stillPublished.map((key) => key.id)).toEqual([activeKeyId, oldKid]);
    const later = await listPublishedKeys(server.db, server.deploymentId, { nowMs: Date.now() + 60_000 + RETIRED_KEY_GRACE_MS + 1000, ...lifetime });
    expect(later.map((key) => key.id)).toEqual([activeKeyId]);
    expect(JSON.stringify(later)).not.toMatch(/"d"/);
  });
});
