import { hash as argon2Hash } from "@node-rs/argon2";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setFrontendApiUrl } from "../../src/deployments/deployments.service.js";
import { verifyPassword } from "../../src/passwords/hasher.js";
import { apiClient, uniqueEmail, uniquePhone, uniqueUsername, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, RFC3339_UTC, createSecondDeployment, createUser, getDetails } from "../helpers/fixtures.js";
import { decodeJwt, frontendClient, sessionCookieOf, type FrontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const PHC_ARGON2ID = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const CHROME_ON_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const THIRTY_DAYS_S = 30 * 86_400;

/** A request to 127.0.0.1 that claims another Host, as a request to another frontend API URL would (fetch cannot set Host). */
function requestWithHost(baseUrl: string, host: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, method, path: url.pathname, headers: { host, ...(payload && { "content-type": "application/json" }) } },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

describe.each(DIALECTS)("sign-in on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let frontend: FrontendClient;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
    frontend = frontendClient(server.baseUrl);
  });
  afterAll(async () => server?.close());

  async function storedHash(userId: string): Promise<string | null> {
    const row = await server.db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirstOrThrow();
    return row.password_hash;
  }

  describe("identifiers", () => {
    it("signs in by verified email (any case), username and phone, with a session cookie and the session in the answer", async () => {
      const email = uniqueEmail("signin");
      const username = uniqueUsername("signin");
      const phone = uniquePhone();
      const user = await createUser(call, { email_address: email, username, phone_number: phone });
      const startedAtS = Math.floor(Date.now() / 1000);

      for (const identifier of [email.toUpperCase(), ` ${email} `, username.toUpperCase(), phone]) {
        const response = await frontend.signIn(identifier, GOOD_PASSWORD, { "user-agent": CHROME_ON_MAC });
        expect(response.status, identifier).toBe(200);
        expect(response.body).toEqual({
          status: "complete",
          session_id: expect.stringMatching(/^ses_/),
          user_id: user.id,
          token: expect.any(String),
          expires: expect.any(Number),
        });
        expect(response.body.token.startsWith(`${response.body.session_id}.`)).toBe(true);
        expect(response.body.expires).toBeGreaterThanOrEqual(startedAtS + THIRTY_DAYS_S);
        expect(response.body.expires).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + THIRTY_DAYS_S);
        expect(response.headers.get("cache-control")).toBe("no-store");

        const cookie = response.headers.getSetCookie().find((line) => line.startsWith("__session="))!;
        expect(sessionCookieOf(response.headers)).toBe(response.body.token);
        const attributes = cookie
          .split(";")
          .slice(1)
          .map((part) => part.trim());
        expect(attributes).toEqual(expect.arrayContaining(["Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${THIRTY_DAYS_S}`]));
        // Served over http: a Secure cookie would never come back.
        expect(attributes).not.toContain("Secure");
      }

      const sessions = await call("GET", `/users/${user.id}/sessions`);
      expect(sessions.status).toBe(200);
      expect(sessions.body.data).toHaveLength(4);
      expect(sessions.body.data[0]).toMatchObject({
        user_id: user.id,
        ip_address: "127.0.0.1",
        user_agent: CHROME_ON_MAC,
        browser: "Chrome 120",
        device: "Mac",
        revoked_at: null,
        last_active_at: expect.stringMatching(RFC3339_UTC),
      });
      const details = await getDetails(call, user.id);
      expect(details.last_sign_in_at).toMatch(RFC3339_UTC);
      expect(Date.parse(details.last_sign_in_at)).toBeGreaterThanOrEqual(Date.parse(user.created_at));
      expect(details).toMatchObject({ locked: false, lockout_expires_at: null });
    });

    it("does not sign in with an unverified email or phone, or another deployment's user", async () => {
      const user = await createUser(call);
      const unverifiedEmail = uniqueEmail("unverified");
      const unverifiedPhone = uniquePhone();
      expect((await call("POST", `/users/${user.id}/emails`, { email: unverifiedEmail, verified: false })).status).toBe(200);
      expect((await call("POST", `/users/${user.id}/phones`, { phone_number: unverifiedPhone, country_code: "US", verified: false })).status).toBe(200);
      for (const identifier of [unverifiedEmail, unverifiedPhone]) {
        const response = await frontend.signIn(identifier, GOOD_PASSWORD);
        expect(response.status, identifier).toBe(401);
        expect(response.body.code).toBe("invalid_credentials");
        expect(sessionCookieOf(response.headers)).toBeNull();
      }
      expect((await frontend.signIn(user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);

      const second = await createSecondDeployment(server, "other-users");
      const stranger = await createUser(second.call);
      // This server's URL belongs to the default deployment, which has no such user.
      expect((await frontend.signIn(stranger.primary_email_address, GOOD_PASSWORD)).status).toBe(401);
    });
  });

  describe("refusals", () => {
    it("answers an unknown identifier, a malformed one and a wrong password with the same 401", async () => {
      const user = await createUser(call);
      const answers = [
        await frontend.signIn(uniqueEmail("nobody"), GOOD_PASSWORD),
        await frontend.signIn(uniqueUsername("nobody"), GOOD_PASSWORD),
        await frontend.signIn("+14155550000", GOOD_PASSWORD),
        await frontend.signIn("not an identifier@", GOOD_PASSWORD),
        await frontend.signIn(`${user.primary_email_address}\u0000`, GOOD_PASSWORD),
        await frontend.signIn(user.primary_email_address, `${GOOD_PASSWORD}!`),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(answer.body).toEqual(answers[0]!.body);
        expect(sessionCookieOf(answer.headers)).toBeNull();
      }
      expect(answers[0]!.body).toMatchObject({ code: "invalid_credentials", message: "The identifier or password is incorrect.", errors: [{ code: 401 }] });
    });

    it("tells a disabled user so only when the password is right", async () => {
      const user = await createUser(call);
      expect((await call("PATCH", `/users/${user.id}`, { disabled: true })).status).toBe(200);
      const wrong = await frontend.signIn(user.primary_email_address, "not the password at all");
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe("invalid_credentials");
      const right = await frontend.signIn(user.primary_email_address, GOOD_PASSWORD);
      expect(right.status).toBe(403);
      expect(right.body).toMatchObject({ code: "user_disabled", message: expect.stringContaining("disabled") });
      expect(sessionCookieOf(right.headers)).toBeNull();
      expect((await call("GET", `/users/${user.id}/sessions?include_expired=true`)).body.data).toEqual([]);

      expect((await call("PATCH", `/users/${user.id}`, { disabled: false })).status).toBe(200);
      expect((await frontend.signIn(user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
    });

    it("answers a user without a password like a wrong password (docs/security.md)", async () => {
      const user = await createUser(call, { password: undefined, skip_password_check: true });
      const response = await frontend.signIn(user.primary_email_address, GOOD_PASSWORD);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe("invalid_credentials");
    });

    it("answers bad input with a 400 naming the field", async () => {
      const missing = await fetch(`${server.baseUrl}/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: "someone" }),
      });
      expect(missing.status).toBe(400);
      expect((await missing.json()).details).toEqual({ password: "is required" });
      const extra = await fetch(`${server.baseUrl}/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: "someone", password: "x", remember: true }),
      });
      expect(extra.status).toBe(400);
      expect((await extra.json()).details).toEqual({ remember: "is not a known field" });
      const tooLong = await frontend.signIn("a".repeat(321), "x");
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.details).toHaveProperty("identifier");
      const notJson = await fetch(`${server.baseUrl}/sign-in`, { method: "POST", headers: { "content-type": "text/plain" }, body: "identifier=someone" });
      expect(notJson.status).toBe(415);
      expect((await notJson.json()).code).toBe("unsupported_media_type");
    });
  });

  // The full model (per account and address, progressive delays, account-wide lock) is tested in
  // test/security/sign-in-lockout.test.ts; here, from one address as a browser would try.
  describe("lockout", () => {
    it("shuts an address out after 10 failures, refuses even the right password there, and the admin can unlock", async () => {
      const user = await createUser(call);
      const statuses = [];
      for (let attempt = 1; attempt <= 4; attempt++) statuses.push((await frontend.signIn(user.primary_email_address, `wrong guess ${attempt}`)).status);
      // Three free attempts, then the address must wait.
      expect(statuses).toEqual([401, 401, 401, 429]);
      const refused = await frontend.signIn(user.primary_email_address, GOOD_PASSWORD);
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe("sign_in_throttled");
      expect(sessionCookieOf(refused.headers)).toBeNull();
      const unlocked = await call("POST", `/users/${user.id}/unlock`);
      expect(unlocked.status).toBe(200);
      expect(unlocked.body).toMatchObject({ id: user.id, locked: false, lockout_expires_at: null });
      expect((await frontend.signIn(user.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
      expect((await call("POST", "/users/usr_doesnotexist/unlock")).status).toBe(404);
    });

    it("does not let concurrent guesses past the limit", async () => {
      const user = await createUser(call);
      const answers = await Promise.all(Array.from({ length: 16 }, () => frontend.signIn(user.primary_email_address, "a concurrent guess")));
      const statuses = answers.map((answer) => answer.status);
      // At most 10 guesses are checked; the rest are refused unchecked.
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(6);
      expect(new Set(statuses)).toEqual(new Set([401, 429]));
      await call("POST", `/users/${user.id}/unlock`);
    });
  });

  describe("imported password digests", () => {
    const password = "an imported passphrase 7";
    const digests: Array<[hasher: string, make: () => Promise<string>]> = [
      ["bcrypt", () => bcryptHash(password, { cost: 10 })],
      ["bcrypt", async () => (await bcryptHash(password, { cost: 4 })).replace(/^\$2b\$/, "$2y$")],
      ["argon2i", () => argon2Hash(password, { algorithm: 1, memoryCost: 4096, timeCost: 3, parallelism: 1 })],
      ["argon2id", () => argon2Hash(password, { algorithm: 2, memoryCost: 65536, timeCost: 2, parallelism: 4 })],
    ];

    it.each(digests)("signs in with a %s digest and rehashes it to our argon2id", async (hasher, make) => {
      const digest = await make();
      const user = await createUser(call, { password: undefined, password_digest: digest, password_hasher: hasher });
      expect(await storedHash(user.id)).toBe(digest);
      expect((await getDetails(call, user.id)).has_password).toBe(true);

      const wrong = await frontend.signIn(user.primary_email_address, `${password}x`);
      expect(wrong.status).toBe(401);
      expect(await storedHash(user.id)).toBe(digest);

      const right = await frontend.signIn(user.primary_email_address, password);
      expect(right.status).toBe(200);
      const rehashed = await storedHash(user.id);
      expect(rehashed).toMatch(PHC_ARGON2ID);
      expect(await verifyPassword(rehashed!, password)).toBe(true);
      expect((await frontend.signIn(user.primary_email_address, password)).status).toBe(200);
    });

    it("accepts a digest sent as multipart text, as the published SDK sends createUser", async () => {
      const form = new FormData();
      const email = uniqueEmail("multipart-digest");
      form.set("email_address", email);
      form.set("password_digest", await bcryptHash(password, { cost: 4 }));
      form.set("password_hasher", "bcrypt");
      const created = await call("POST", "/users", form);
      expect(created.status).toBe(200);
      expect((await frontend.signIn(email, password)).status).toBe(200);
    });

    it("refuses a malformed digest with a 400 naming password_digest, and creates no user", async () => {
      const bcrypt = await bcryptHash(password, { cost: 4 });
      const cases: Array<[body: Record<string, unknown>, field: string]> = [
        [{ password_digest: "$2b$10$tooshort", password_hasher: "bcrypt" }, "password_digest"],
        [{ password_digest: bcrypt.replace(/^\$2b\$04\$/, "$2b$31$"), password_hasher: "bcrypt" }, "password_digest"],
        [{ password_digest: bcrypt, password_hasher: "argon2id" }, "password_digest"],
        [{ password_digest: "$argon2id$v=19$m=19456,t=2,p=1$garbage", password_hasher: "argon2id" }, "password_digest"],
        [
          { password_digest: "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$c29tZWhhc2hzb21laGFzaHNvbWVoYXNoc29tZWg", password_hasher: "argon2id" },
          "password_digest",
        ],
        [{ password_digest: await argon2Hash(password, { algorithm: 1, memoryCost: 4096 }), password_hasher: "argon2id" }, "password_digest"],
        [{ password_digest: bcrypt }, "password_hasher"],
        [{ password_hasher: "bcrypt" }, "password_digest"],
        [{ password_digest: bcrypt, password_hasher: "bcrypt", password: GOOD_PASSWORD }, "password_digest"],
        [{ password_digest: bcrypt, password_hasher: "md5" }, "password_hasher"],
      ];
      for (const [fields, field] of cases) {
        const email = uniqueEmail("bad-digest");
        const response = await call("POST", "/users", { first_name: "Bad", last_name: "Digest", email_address: email, ...fields });
        expect(response.status, JSON.stringify(fields)).toBe(400);
        expect(Object.keys(response.body.details), JSON.stringify(fields)).toContain(field);
        const listed = await call("GET", `/users?email_address=${encodeURIComponent(email)}`);
        expect(listed.body.total).toBe(0);
      }
    });
  });

  describe("sign-out", () => {
    it("ends the session, clears the cookie, and answers {} even without a session", async () => {
      const user = await createUser(call);
      const signedIn = await frontend.signIn(user.primary_email_address, GOOD_PASSWORD);
      const credential = signedIn.body.token;
      expect((await frontend.sessionToken({ cookie: credential })).status).toBe(200);

      const out = await frontend.signOut({ cookie: credential });
      expect(out.status).toBe(200);
      expect(out.body).toEqual({});
      expect(sessionCookieOf(out.headers)).toBe("");
      expect(out.headers.getSetCookie().join()).toContain("Max-Age=0");
      expect((await frontend.sessionToken({ cookie: credential })).status).toBe(401);
      const listed = await call("GET", `/users/${user.id}/sessions?include_expired=true`);
      expect(listed.body.data[0]).toMatchObject({ id: signedIn.body.session_id, revoked_at: expect.stringMatching(RFC3339_UTC) });

      const bearer = await frontend.signIn(user.primary_email_address, GOOD_PASSWORD);
      expect((await frontend.signOut({ bearer: bearer.body.token })).status).toBe(200);
      expect((await frontend.sessionToken({ bearer: bearer.body.token })).status).toBe(401);

      expect((await frontend.signOut({})).body).toEqual({});
      // A forged secret for a real session id ends nothing.
      const kept = await frontend.signIn(user.primary_email_address, GOOD_PASSWORD);
      expect((await frontend.signOut({ cookie: `${kept.body.session_id}.${"a".repeat(32)}` })).status).toBe(200);
      expect((await frontend.sessionToken({ cookie: kept.body.token })).status).toBe(200);
    });
  });

  describe("deployments by frontend API URL", () => {
    it("serves a deployment on its own URL, with its own users and issuer, and the default on any other", async () => {
      const second = await createSecondDeployment(server, "tenant-two");
      const port = new URL(server.baseUrl).port;
      const secondUrl = `http://tenant-two.test:${port}`;
      await setFrontendApiUrl(server.db, second.deploymentId, `${secondUrl}/`);
      const tenantUser = await createUser(second.call);
      const defaultUser = await createUser(call);

      const signIn = (host: string, email: string) => requestWithHost(server.baseUrl, host, "POST", "/sign-in", { identifier: email, password: GOOD_PASSWORD });
      const inTenant = await signIn(`tenant-two.test:${port}`, tenantUser.primary_email_address);
      expect(inTenant.status).toBe(200);
      expect(inTenant.body.user_id).toBe(tenantUser.id);
      // Host names are case-insensitive.
      expect((await signIn(`TENANT-TWO.test:${port}`, tenantUser.primary_email_address)).status).toBe(200);
      expect((await signIn(`tenant-two.test:${port}`, defaultUser.primary_email_address)).status).toBe(401);
      expect((await signIn(`127.0.0.1:${port}`, tenantUser.primary_email_address)).status).toBe(401);
      expect((await signIn(`elsewhere.test:${port}`, defaultUser.primary_email_address)).status).toBe(200);

      const token = await new Promise<{ status: number; body: any }>((resolve, reject) => {
        const outgoing = httpRequest(
          { host: "127.0.0.1", port, path: "/session/token", headers: { host: `tenant-two.test:${port}`, cookie: `__session=${inTenant.body.token}` } },
          (incoming) => {
            const chunks: Buffer[] = [];
            incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
            incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
          },
        );
        outgoing.on("error", reject);
        outgoing.end();
      });
      expect(token.status).toBe(200);
      const { header, payload } = decodeJwt(token.body.data.token);
      expect(payload).toMatchObject({ iss: secondUrl, sub: tenantUser.id, sid: inTenant.body.session_id });
      // Each deployment signs with its own key.
      const tenantKeys = await requestWithHost(server.baseUrl, `tenant-two.test:${port}`, "GET", "/.well-known/jwks.json");
      const defaultKeys = await frontend.jwks();
      expect(tenantKeys.body.keys.map((key: any) => key.kid)).toContain(header.kid);
      expect(defaultKeys.body.keys.map((key: any) => key.kid)).not.toContain(header.kid);
      // The session is the tenant's: the default deployment does not know it.
      expect((await frontend.sessionToken({ cookie: inTenant.body.token })).status).toBe(401);

      await expect(setFrontendApiUrl(server.db, second.deploymentId, "not a url")).rejects.toMatchObject({ statusCode: 400, code: "validation_failed" });
      const third = await createSecondDeployment(server, "tenant-three");
      await expect(setFrontendApiUrl(server.db, third.deploymentId, secondUrl)).rejects.toMatchObject({ statusCode: 409, code: "frontend_api_url_taken" });
    });
  });
});

describe.each(DIALECTS)("sign-in behind WACHT_FRONTEND_API_URL=https://… on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(dialect, { config: { frontendApiUrl: "https://auth.example.test" } });
  });
  afterAll(async () => server?.close());

  it("marks the cookie Secure and issues tokens for the configured URL", async () => {
    const user = await createUser(apiClient(server.baseUrl, server.apiKey));
    const frontend = frontendClient(server.baseUrl);
    const signedIn = await frontend.signIn(user.primary_email_address, GOOD_PASSWORD);
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.getSetCookie().find((line) => line.startsWith("__session="))!;
    expect(cookie.split(";").map((part) => part.trim())).toContain("Secure");
    const token = await frontend.sessionToken({ bearer: signedIn.body.token });
    expect(decodeJwt(token.body.data.token).payload.iss).toBe("https://auth.example.test");
  });
});
