import * as OTPAuth from "otpauth";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError, UnprocessableEntityError, ValidationError, WachtClient, users, type UserDetails } from "../src/index.js";
import { sendJson, startLocalServer, type LocalServer } from "./helpers/local-server.js";
import { startRealServer, uniqueEmail } from "./helpers/real-server.js";
import { serverHas } from "./helpers/server-has.js";

/*
 * Issue 10, SDK half: the published client's eight second-factor methods plus verifyPassword and
 * verifyTotp. The wire block runs against a node:http server and always runs; the real-server
 * blocks are skipped, route by route, while the server answers 404 route_not_found (the
 * second-factors branch has not landed), and run by themselves once it does.
 */

const PASSWORD = "correct horse battery staple 42";
const server = await startRealServer();
afterAll(() => server.close());
const client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl, maxRetries: 0 });
const probeId = "usr_probe";
const has = {
  authenticators: await serverHas(server, "POST", `/users/${probeId}/authenticators`),
  backupCodes: await serverHas(server, "POST", `/users/${probeId}/backup-codes/regenerate`),
  passkeys: await serverHas(server, "GET", `/users/${probeId}/passkeys`),
  memberships: await serverHas(server, "GET", `/users/${probeId}/organization-memberships`),
  verifyPassword: await serverHas(server, "POST", `/users/${probeId}/verify-password`),
  verifyTotp: await serverHas(server, "POST", `/users/${probeId}/verify-totp`),
};

async function newUser(password: string | undefined = PASSWORD): Promise<UserDetails> {
  const created = await client.users.createUser({ first_name: "Second", last_name: "Factor", email_address: uniqueEmail("2fa"), password });
  return client.users.getUser(created.id);
}

const totpFor = (secret: string) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });

describe("on the wire (node:http)", () => {
  let local: LocalServer | undefined;
  afterEach(async () => {
    await local?.close();
    local = undefined;
  });

  async function localClient(answer: unknown): Promise<WachtClient> {
    local = await startLocalServer((_request, response) => sendJson(response, 200, answer));
    return new WachtClient({ apiKey: "wk_test", baseUrl: local.baseUrl });
  }
  const last = () => local!.requests.at(-1)!;

  it("createAuthenticator posts the secret as JSON, with no automatic Idempotency-Key (the answer holds the secret)", async () => {
    const wire = await localClient({ id: "tfa_1", otp_url: "otpauth://totp/x" });
    expect(await wire.users.createAuthenticator("usr_1", { secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", account_name: "ada" })).toEqual({
      id: "tfa_1",
      otp_url: "otpauth://totp/x",
    });
    expect(last()).toMatchObject({ method: "POST", url: "/users/usr_1/authenticators" });
    expect(JSON.parse(last().body)).toEqual({ secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", account_name: "ada" });
    expect(last().headers["idempotency-key"]).toBeUndefined();
  });

  it("regenerateBackupCodes posts no body and no content type", async () => {
    const wire = await localClient({ backup_codes: ["abcd-efgh"] });
    expect(await wire.users.regenerateBackupCodes("usr_1")).toEqual({ backup_codes: ["abcd-efgh"] });
    expect(last()).toMatchObject({ method: "POST", url: "/users/usr_1/backup-codes/regenerate", body: "" });
    expect(last().headers["content-type"]).toBeUndefined();
    expect(last().headers["idempotency-key"]).toBeUndefined();
  });

  it("lists return .data, as the published client does", async () => {
    const wire = await localClient({ data: [{ id: "pk_1" }], has_more: false });
    expect(await wire.users.listPasskeys("usr_1")).toEqual([{ id: "pk_1" }]);
    expect(last().url).toBe("/users/usr_1/passkeys");
    expect(await wire.users.listOrganizationMemberships("usr_1")).toEqual([{ id: "pk_1" }]);
    expect(last().url).toBe("/users/usr_1/organization-memberships");
    expect(await wire.users.listWorkspaceMemberships("usr_1")).toEqual([{ id: "pk_1" }]);
    expect(last().url).toBe("/users/usr_1/workspace-memberships");
  });

  it("renames with PATCH {name}, deletes by id, encodes ids", async () => {
    const wire = await localClient({});
    await wire.users.renamePasskey("usr_1", "pk/1", "Laptop");
    expect(last()).toMatchObject({ method: "PATCH", url: "/users/usr_1/passkeys/pk%2F1", body: '{"name":"Laptop"}' });
    await wire.users.deletePasskey("usr_1", "pk_1");
    expect(last()).toMatchObject({ method: "DELETE", url: "/users/usr_1/passkeys/pk_1" });
    await wire.users.deleteAuthenticator("usr_1");
    expect(last()).toMatchObject({ method: "DELETE", url: "/users/usr_1/authenticators" });
  });

  it("verifyPassword and verifyTotp post their body; verifyTotp carries an Idempotency-Key for its retries", async () => {
    const wire = await localClient({ verified: true, code_type: "totp" });
    await wire.users.verifyPassword("usr_1", { password: "pw" });
    expect(last()).toMatchObject({ method: "POST", url: "/users/usr_1/verify-password", body: '{"password":"pw"}' });
    await wire.users.verifyTotp("usr_1", { code: "123456" });
    expect(last()).toMatchObject({ method: "POST", url: "/users/usr_1/verify-totp", body: '{"code":"123456"}' });
    expect(last().headers["idempotency-key"]).toMatch(/^wacht-retry-/);
  });

  it("module style, with a client last", async () => {
    const wire = await localClient({ data: [], has_more: false });
    expect(await users.listPasskeys("usr_2", wire)).toEqual([]);
    expect(last().url).toBe("/users/usr_2/passkeys");
  });
});

describe.skipIf(!has.authenticators)("TOTP authenticators (real server)", () => {
  it("enrolls with the admin's secret, refuses a second, deletes, and says so in the details", async () => {
    const user = await newUser();
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    const created = await client.users.createAuthenticator(user.id, { secret, account_name: "ada@example.com" });
    expect(created.id).toEqual(expect.any(String));
    const url = new URL(created.otp_url);
    expect(url.protocol).toBe("otpauth:");
    expect(url.searchParams.get("secret")).toBe(secret);
    expect(Object.fromEntries([...url.searchParams].filter(([name]) => name !== "secret" && name !== "issuer"))).toEqual({
      algorithm: "SHA1",
      digits: "6",
      period: "30",
    });
    expect(created.otp_url).toContain(":ada%40example.com?");
    expect((await client.users.getUser(user.id)).totp_enabled).toBe(true);

    await expect(client.users.createAuthenticator(user.id, { secret })).rejects.toBeInstanceOf(ConflictError);
    await client.users.deleteAuthenticator(user.id);
    expect((await client.users.getUser(user.id)).totp_enabled).toBe(false);
    await expect(client.users.deleteAuthenticator(user.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses a short secret and an unknown user", async () => {
    const user = await newUser();
    await expect(client.users.createAuthenticator(user.id, { secret: "JBSWY3DP" })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.users.createAuthenticator("usr_nobody", { secret: new OTPAuth.Secret({ size: 20 }).base32 })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe.skipIf(!has.backupCodes)("backup codes (real server)", () => {
  it("returns 12 fresh codes and flips has_backup_codes", async () => {
    const user = await newUser();
    expect(user.has_backup_codes).toBe(false);
    const { backup_codes: codes } = await client.users.regenerateBackupCodes(user.id);
    expect(codes).toHaveLength(12);
    for (const code of codes) expect(code).toMatch(/^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/);
    expect(new Set(codes).size).toBe(12);
    expect((await client.users.getUser(user.id)).has_backup_codes).toBe(true);
    const again = await client.users.regenerateBackupCodes(user.id);
    expect(again.backup_codes.filter((code) => codes.includes(code))).toEqual([]);
  });
});

describe.skipIf(!has.passkeys)("passkeys (real server)", () => {
  it("lists none for a new user, and answers NotFoundError for an unknown passkey", async () => {
    const user = await newUser();
    expect(await client.users.listPasskeys(user.id)).toEqual([]);
    expect((await client.users.getUser(user.id)).passkeys_count).toBe(0);
    await expect(client.users.renamePasskey(user.id, "pkey_nothing", "Laptop")).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.users.deletePasskey(user.id, "pkey_nothing")).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.users.listPasskeys("usr_nobody")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe.skipIf(!has.memberships)("memberships (real server)", () => {
  it("are empty lists for an existing user, NotFoundError for an unknown one", async () => {
    const user = await newUser();
    expect(await client.users.listOrganizationMemberships(user.id)).toEqual([]);
    expect(await client.users.listWorkspaceMemberships(user.id)).toEqual([]);
    await expect(client.users.listOrganizationMemberships("usr_nobody")).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.users.listWorkspaceMemberships("usr_nobody")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe.skipIf(!has.verifyPassword)("verifyPassword (real server)", () => {
  it("verifies the right password and refuses a wrong one as 422 password_incorrect", async () => {
    const user = await newUser();
    expect(await client.users.verifyPassword(user.id, { password: PASSWORD })).toEqual({ verified: true });
    const wrong = await client.users.verifyPassword(user.id, { password: "not it at all 123" }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(UnprocessableEntityError);
    expect(wrong).toMatchObject({ statusCode: 422, code: "password_incorrect" });
  });

  it("answers 400 user_has_no_password for a user without a password", async () => {
    const created = await client.users.createUser({ first_name: "No", last_name: "Password", email_address: uniqueEmail("nopw"), skip_password_check: true });
    const error = await client.users.verifyPassword(created.id, { password: PASSWORD }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: "user_has_no_password" });
  });
});

describe.skipIf(!has.verifyTotp || !has.authenticators || !has.backupCodes)("verifyTotp (real server)", () => {
  it("accepts the current TOTP code once, and a backup code once", async () => {
    const user = await newUser();
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    await client.users.createAuthenticator(user.id, { secret });
    const code = totpFor(secret).generate();
    expect(await client.users.verifyTotp(user.id, { code })).toEqual({ verified: true, code_type: "totp" });
    const replay = await client.users.verifyTotp(user.id, { code }).catch((error: unknown) => error);
    expect(replay).toBeInstanceOf(UnprocessableEntityError);
    expect(replay).toMatchObject({ code: "totp_incorrect" });

    const { backup_codes: codes } = await client.users.regenerateBackupCodes(user.id);
    expect(await client.users.verifyTotp(user.id, { code: codes[0]! })).toEqual({ verified: true, code_type: "backup_code" });
    await expect(client.users.verifyTotp(user.id, { code: codes[0]! })).rejects.toBeInstanceOf(UnprocessableEntityError);
  });

  it("refuses a wrong code", async () => {
    const user = await newUser();
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    await client.users.createAuthenticator(user.id, { secret });
    const right = totpFor(secret).generate();
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
    await expect(client.users.verifyTotp(user.id, { code: wrong })).rejects.toMatchObject({ statusCode: 422, code: "totp_incorrect" });
  });
});

describe("the users surface against the published client", () => {
  it("has all 28 published methods, and the README names exactly the ones beyond them", async () => {
    const published = await import("wacht-published");
    const { readFileSync } = await import("node:fs");
    const publishedNames = Object.keys(published.users).sort();
    expect(publishedNames).toHaveLength(28);
    const ourNames = Object.keys(users);
    expect(publishedNames.filter((name) => !ourNames.includes(name))).toEqual([]);
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("### Beyond the published client"), readme.indexOf("Every other method has the published signature."));
    const documented = [...section.matchAll(/`(\w+)`/g)].map((match) => match[1]).filter((name) => name !== "client" && !name!.startsWith("@"));
    expect(documented.sort()).toEqual(ourNames.filter((name) => !publishedNames.includes(name)).sort());
  });
});
