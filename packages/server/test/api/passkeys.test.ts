import { beforeAll, describe, expect, it } from "vitest";
import { verifyPasskeyAssertion } from "../../src/passkeys/passkeys.service.js";
import { relyingPartyOf } from "../../src/passkeys/webauthn.js";
import { uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { GOOD_PASSWORD, createUser, getDetails } from "../helpers/fixtures.js";
import { frontendClient, sessionCookieOf, type FrontendClient } from "../helpers/frontend.js";
import { SoftAuthenticator } from "../helpers/soft-authenticator.js";
import { useServer } from "../helpers/use-server.js";

describe.each(DIALECTS)("passkeys (WebAuthn) on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;
  let frontend: FrontendClient;
  beforeAll(() => {
    frontend = frontendClient(server.baseUrl);
  });

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method: "POST",
      headers: { ...(body !== undefined && { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  /** A user signed in with a password: its id and session credential. */
  async function signedInUser() {
    const email = uniqueEmail("passkey");
    const user = await createUser(call, { email_address: email, first_name: "Ada", last_name: "Lovelace" });
    const signIn = await frontend.signIn(email, GOOD_PASSWORD);
    expect(signIn.status).toBe(200);
    return { user, email, credential: signIn.body.token as string };
  }

  /** Registers a passkey for a signed-in user through the frontend API, driven by the software authenticator. */
  async function registerPasskey(credential: string, authenticator: SoftAuthenticator, name?: string) {
    const options = await post("/passkeys/registration/options", undefined, { authorization: `Bearer ${credential}` });
    expect(options.status, JSON.stringify(options.body)).toBe(200);
    const response = authenticator.createCredential(options.body);
    const verified = await post("/passkeys/registration/verify", { response, ...(name !== undefined && { name }) }, { cookie: `__session=${credential}` });
    return { options: options.body, verified };
  }

  async function signInWithPasskey(authenticator: SoftAuthenticator, assertion?: (options: any) => any) {
    const options = await post("/sign-in/passkey/options", undefined);
    expect(options.status, JSON.stringify(options.body)).toBe(200);
    const response = assertion ? assertion(options.body) : authenticator.getAssertion(options.body);
    return { options: options.body, answer: await post("/sign-in/passkey/verify", { response }) };
  }

  it("registers a discoverable passkey for the signed-in user, bound to the frontend API's host", async () => {
    const { user, email, credential } = await signedInUser();
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl, backedUp: true });
    const { options, verified } = await registerPasskey(credential, authenticator, "  My laptop  ");
    expect(options.rp).toEqual({ id: "127.0.0.1", name: "Wacht" });
    expect(options.user.name).toBe(email);
    expect(options.attestation).toBe("none");
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body).toEqual({
      id: expect.stringMatching(/^pky_/),
      created_at: expect.any(String),
      updated_at: expect.any(String),
      user_id: user.id,
      name: "My laptop",
      sign_count: 0,
      transports: ["internal", "hybrid"],
      last_used_at: null,
      backed_up: true,
      device_type: "platform",
    });
    const listed = await call("GET", `/users/${user.id}/passkeys`);
    expect(listed.body).toEqual({ data: [verified.body], has_more: false });
    const credentialId = authenticator.credentials[0]!.credentialId.toString("base64url");
    expect(JSON.stringify(listed.body)).not.toContain(credentialId);
    expect((await getDetails(call, user.id)).passkeys_count).toBe(1);
    // The challenge was used up: the same answer does not register a second passkey.
    const replay = await post(
      "/passkeys/registration/verify",
      { response: authenticator.createCredential(options) },
      { authorization: `Bearer ${credential}` },
    );
    expectEnvelope(replay, 400, "passkey_registration_failed");
    // Excluded next time: the browser is told which authenticator already holds one.
    const next = await post("/passkeys/registration/options", undefined, { authorization: `Bearer ${credential}` });
    expect(next.body.excludeCredentials).toEqual([{ id: credentialId, type: "public-key", transports: ["internal", "hybrid"] }]);
  });

  it("needs a valid session to register", async () => {
    expectEnvelope(await post("/passkeys/registration/options", undefined), 401, "session_invalid");
    expectEnvelope(await post("/passkeys/registration/options", undefined, { authorization: "Bearer ses_nope.nope" }), 401, "session_invalid");
    const { credential } = await signedInUser();
    const options = await post("/passkeys/registration/options", undefined, { authorization: `Bearer ${credential}` });
    await frontend.signOut({ bearer: credential });
    const response = new SoftAuthenticator({ origin: server.baseUrl }).createCredential(options.body);
    expectEnvelope(await post("/passkeys/registration/verify", { response }, { authorization: `Bearer ${credential}` }), 401, "session_invalid");
  });

  it("refuses a registration from another origin, or for a challenge issued to another user", async () => {
    const { credential } = await signedInUser();
    const phishing = new SoftAuthenticator({ origin: "https://wacht.example.net" });
    const { verified } = await registerPasskey(credential, phishing);
    expectEnvelope(verified, 400, "passkey_registration_failed");

    const other = await signedInUser();
    const options = await post("/passkeys/registration/options", undefined, { authorization: `Bearer ${other.credential}` });
    const response = new SoftAuthenticator({ origin: server.baseUrl }).createCredential(options.body);
    expectEnvelope(await post("/passkeys/registration/verify", { response }, { authorization: `Bearer ${credential}` }), 400, "passkey_registration_failed");
  });

  it("signs in without a password: the one-step answer, a session cookie, sign_in_method passkey, counter and last use kept", async () => {
    const { user, credential } = await signedInUser();
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    expect((await registerPasskey(credential, authenticator)).verified.status).toBe(200);

    const { options, answer } = await signInWithPasskey(authenticator);
    expect(options.rpId).toBe("127.0.0.1");
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({
      status: "complete",
      session_id: expect.stringMatching(/^ses_/),
      user_id: user.id,
      token: expect.any(String),
      expires: expect.any(Number),
    });
    expect(sessionCookieOf(answer.headers)).toBe(answer.body.token);
    expect((await frontend.sessionToken({ cookie: answer.body.token })).status).toBe(200);
    const sessions = (await call("GET", `/users/${user.id}/sessions`)).body.data;
    expect(sessions.map((session: any) => session.sign_in_method)).toEqual(["passkey", "password"]);
    const [passkey] = (await call("GET", `/users/${user.id}/passkeys`)).body.data;
    expect(passkey.sign_count).toBe(1);
    expect(passkey.last_used_at).toEqual(expect.any(String));

    // The sign-in challenge works once.
    const replay = await post("/sign-in/passkey/verify", { response: authenticator.getAssertion(options) });
    expectEnvelope(replay, 401, "passkey_verification_failed");
    // A second sign-in with a fresh challenge works, and the counter moves on.
    expect((await signInWithPasskey(authenticator)).answer.status).toBe(200);
    expect((await call("GET", `/users/${user.id}/passkeys`)).body.data[0].sign_count).toBe(3);
  });

  it("refuses a cloned credential whose counter goes backwards, and logs nothing secret", async () => {
    const { user, credential } = await signedInUser();
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    await registerPasskey(credential, authenticator);
    for (let i = 0; i < 3; i++) expect((await signInWithPasskey(authenticator)).answer.status).toBe(200);
    const clone = authenticator.credentials[0]!;
    // The clone signs with its own, older counter (2, then the same 3 the original reached).
    for (const counter of [2, 3]) {
      const { answer } = await signInWithPasskey(authenticator, (options) => authenticator.assertWith(options, clone, counter));
      const body = expectEnvelope(answer, 401, "passkey_verification_failed");
      expect(body.message).toContain("counter");
    }
    expect((await call("GET", `/users/${user.id}/passkeys`)).body.data[0].sign_count).toBe(3);
    expect((await call("GET", `/users/${user.id}/sessions`)).body.data.filter((session: any) => session.sign_in_method === "passkey")).toHaveLength(3);

    // What the refusal logs: which passkey and which counters, never key material.
    const warnings: Array<{ details: Record<string, unknown>; message: string }> = [];
    const options = (await post("/sign-in/passkey/options", undefined)).body;
    const relyingParty = relyingPartyOf(server.baseUrl, "Wacht");
    await expect(
      verifyPasskeyAssertion(server.db, server.deploymentId, relyingParty, authenticator.assertWith(options, clone, 1), {
        warn: (details, message) => warnings.push({ details, message }),
      }),
    ).rejects.toMatchObject({ code: "passkey_verification_failed" });
    const [passkey] = (await call("GET", `/users/${user.id}/passkeys`)).body.data;
    expect(warnings).toEqual([
      {
        details: { passkeyId: passkey.id, userId: user.id, storedSignCount: 3, presentedSignCount: 1 },
        message: expect.stringContaining("counter went backwards"),
      },
    ]);
    const publicKey = (await server.db.selectFrom("passkeys").select("public_key").where("id", "=", passkey.id).executeTakeFirstOrThrow()).public_key;
    expect(JSON.stringify(warnings)).not.toContain(publicKey);
    expect(JSON.stringify(warnings)).not.toContain(clone.credentialId.toString("base64url"));
  });

  it("refuses an unknown credential, a wrong signature, another origin, and a disabled user", async () => {
    const { user, credential } = await signedInUser();
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    await registerPasskey(credential, authenticator);

    const stranger = new SoftAuthenticator({ origin: server.baseUrl });
    stranger.createCredential({ rp: { id: "127.0.0.1" }, user: { id: "eA" }, challenge: "AAAA" });
    expectEnvelope((await signInWithPasskey(stranger)).answer, 401, "passkey_verification_failed");

    const forged = await signInWithPasskey(authenticator, (options) => {
      const assertion = authenticator.getAssertion(options);
      const signature = Buffer.from(assertion.response.signature, "base64url");
      signature[signature.length - 1] ^= 0x01;
      return { ...assertion, response: { ...assertion.response, signature: signature.toString("base64url") } };
    });
    expectEnvelope(forged.answer, 401, "passkey_verification_failed");

    const elsewhere = new SoftAuthenticator({ origin: "https://wacht.example.net" });
    const phished = await signInWithPasskey(authenticator, (options) => elsewhere.assertWith(options, authenticator.credentials[0]!, 100));
    expectEnvelope(phished.answer, 401, "passkey_verification_failed");

    await call("PATCH", `/users/${user.id}`, { disabled: true });
    expectEnvelope((await signInWithPasskey(authenticator)).answer, 403, "user_disabled");
  });

  it("a passkey removed by an admin no longer signs in", async () => {
    const { user, credential } = await signedInUser();
    const authenticator = new SoftAuthenticator({ origin: server.baseUrl });
    const { verified } = await registerPasskey(credential, authenticator);
    expect((await call("DELETE", `/users/${user.id}/passkeys/${verified.body.id}`)).status).toBe(200);
    expectEnvelope((await signInWithPasskey(authenticator)).answer, 401, "passkey_verification_failed");
  });

  it("a removal names an unknown user, or a passkey the user does not have, with 404 and removes nothing", async () => {
    const { user, credential } = await signedInUser();
    const { verified } = await registerPasskey(credential, new SoftAuthenticator({ origin: server.baseUrl }));
    expectEnvelope(await call("DELETE", `/users/usr_nobody/passkeys/${verified.body.id}`), 404, "user_not_found");
    expectEnvelope(await call("DELETE", `/users/${user.id}/passkeys/pk_nothing`), 404, "passkey_not_found");
    expect((await getDetails(call, user.id)).passkeys_count).toBe(1);
  });

  it("refuses malformed bodies with 400", async () => {
    expectEnvelope(await post("/sign-in/passkey/verify", {}), 400);
    expectEnvelope(await post("/sign-in/passkey/verify", { response: { id: "x", rawId: "x", type: "other", response: {}, clientExtensionResults: {} } }), 400);
  });
});
