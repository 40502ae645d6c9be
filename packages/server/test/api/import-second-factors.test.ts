import bcrypt from "bcryptjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyPassword } from "../../src/passwords/hasher.js";
import { uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { getDetails } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { freezeClockMidStep, newTotpSecret, totpAt } from "../helpers/second-factors.js";
import { useServer } from "../helpers/use-server.js";

const PASSWORD = "imported password 3";
const DIGEST = bcrypt.hashSync(PASSWORD, 4);
const OUR_ARGON2ID = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/**
 * Users arrive with their authenticator and backup codes (Clerk's `totp_secret`, Clerk's BAPI
 * `backup_codes`, plain or hashed) and keep signing in with them: password, then a code their
 * authenticator app shows (computed by the independent otpauth package) or one backup code.
 */
describe.each(DIALECTS)("importing second factors on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;
  afterEach(() => {
    vi.useRealTimers();
  });

  const importUsers = (body: unknown) => call("POST", "/users/import", body);
  const secondFactor = (body: Record<string, unknown>) =>
    fetch(`${server.baseUrl}/sign-in/second-factor`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(
      async (response) => ({ status: response.status, body: await response.json() }),
    );
  async function signIn(email: string, strategy: "totp" | "backup_code", code: string) {
    const first = await frontendClient(server.baseUrl).signIn(email, PASSWORD);
    expect(first.body.status, JSON.stringify(first.body)).toBe("needs_second_factor");
    return secondFactor({ sign_in_id: first.body.sign_in_id, strategy, code });
  }

  it("a TOTP secret (spaced, lower-case, padded as exports have it) is sealed at rest; the user signs in with password + code", async () => {
    const secret = newTotpSecret();
    const email = uniqueEmail("totp");
    const given = `${secret.toLowerCase().replace(/(.{4})/g, "$1 ")}===`;
    const response = await importUsers({ users: [{ email_address: email, password_digest: DIGEST, totp_secret: given }] });
    expect(response.body).toMatchObject({ created: 1 });
    const userId = response.body.results[0].user_id;
    expect(await getDetails(call, userId)).toMatchObject({ totp_enabled: true, has_backup_codes: false });
    const row = await server.db.selectFrom("totp_authenticators").selectAll().where("user_id", "=", userId).executeTakeFirstOrThrow();
    expect(row.secret_sealed).not.toContain(secret);
    expect(row.account_name).toBe(email);

    const now = freezeClockMidStep();
    expect((await signIn(email, "totp", "000000")).status).toBe(401);
    const done = await signIn(email, "totp", totpAt(secret, now));
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ status: "complete", user_id: userId });
  });

  it("backup codes, plain or bcrypt-hashed, each work once; plain ones are stored as argon2id", async () => {
    const email = uniqueEmail("codes");
    const plain = ["abcd-2345", "WXYZ 6789"];
    const hashed = "Hash1234";
    const response = await importUsers({
      users: [{ email_address: email, password_digest: DIGEST, backup_codes: [...plain, bcrypt.hashSync(hashed, 4)] }],
    });
    expect(response.body).toMatchObject({ created: 1 });
    const userId = response.body.results[0].user_id;
    expect(await getDetails(call, userId)).toMatchObject({ totp_enabled: false, has_backup_codes: true });
    const stored = await server.db.selectFrom("backup_codes").select("code_hash").where("user_id", "=", userId).execute();
    expect(stored.map((row) => row.code_hash.match(/^\$(argon2id|2b)\$/)?.[1]).sort()).toEqual(["2b", "argon2id", "argon2id"]);
    expect(JSON.stringify(stored)).not.toContain("abcd2345");

    expect((await signIn(email, "backup_code", "nope-nope")).status).toBe(401);
    expect((await signIn(email, "backup_code", "abcd2345")).status).toBe(200);
    expect((await signIn(email, "backup_code", "abcd-2345")).status).toBe(401);
    expect((await signIn(email, "backup_code", hashed)).status).toBe(200);
    expect((await signIn(email, "backup_code", "WXYZ-6789")).status).toBe(200);
    expect(await getDetails(call, userId)).toMatchObject({ has_backup_codes: false });
  });

  it("a bad secret or code fails its item alone, naming the field; an update replaces the authenticator and the codes", async () => {
    const email = uniqueEmail("replace");
    const response = await importUsers({
      users: [
        { email_address: uniqueEmail("short"), totp_secret: "JBSWY3DPEHPK3PXP" },
        { email_address: uniqueEmail("notb32"), totp_secret: "not base32 at all!" },
        { email_address: uniqueEmail("badcode"), backup_codes: ["abcd2345", "abc-123"] },
        { email_address: uniqueEmail("badhash"), backup_codes: ["$2b$04$short"] },
        { external_id: `replace-${email}`, email_address: email, password_digest: DIGEST, totp_secret: newTotpSecret(), backup_codes: ["Old12345"] },
      ],
    });
    expect(response.body.results.map((result: any) => [result.status, result.error?.field ?? null])).toEqual([
      ["failed", "totp_secret"],
      ["failed", "totp_secret"],
      ["failed", "backup_codes[1]"],
      ["failed", "backup_codes[0]"],
      ["created", null],
    ]);
    expect(response.body.results[0].error).toMatchObject({ code: "validation_failed", message: expect.stringContaining("16 bytes") });
    const userId = response.body.results[4].user_id;
    expect(await server.db.selectFrom("totp_authenticators").select("id").where("user_id", "=", userId).execute()).toHaveLength(1);

    const secret = newTotpSecret();
    const updated = await importUsers({
      on_conflict: "update",
      users: [{ external_id: `replace-${email}`, email_address: email, totp_secret: secret, backup_codes: ["New12345"] }],
    });
    expect(updated.body).toMatchObject({ updated: 1 });
    expect(await server.db.selectFrom("totp_authenticators").select("id").where("user_id", "=", userId).execute()).toHaveLength(1);
    expect(await server.db.selectFrom("backup_codes").select("id").where("user_id", "=", userId).execute()).toHaveLength(1);
    expect((await signIn(email, "backup_code", "Old12345")).status).toBe(401);
    expect((await signIn(email, "backup_code", "New12345")).status).toBe(200);
    const now = freezeClockMidStep();
    expect((await signIn(email, "totp", totpAt(secret, now))).status).toBe(200);
  });
  it("a bcrypt digest becomes our argon2id at the password step of a two-step sign-in, and that sign-in still completes", async () => {
    const secret = newTotpSecret();
    const email = uniqueEmail("rehash-2fa");
    const response = await importUsers({ users: [{ email_address: email, password_digest: DIGEST, totp_secret: secret }] });
    expect(response.body).toMatchObject({ created: 1 });
    const userId = response.body.results[0].user_id;
    const storedHash = async () =>
      (await server.db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirstOrThrow()).password_hash;
    expect(await storedHash()).toBe(DIGEST);

    const now = freezeClockMidStep();
    const first = await frontendClient(server.baseUrl).signIn(email, PASSWORD);
    expect(first.body.status).toBe("needs_second_factor");
    const rehashed = await storedHash();
    expect(rehashed).toMatch(OUR_ARGON2ID);
    expect(await verifyPassword(rehashed!, PASSWORD)).toBe(true);
    const done = await secondFactor({ sign_in_id: first.body.sign_in_id, strategy: "totp", code: totpAt(secret, now) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ status: "complete", user_id: userId });
    expect(await storedHash()).toBe(rehashed);

    vi.setSystemTime(now + 30_000);
    const again = await signIn(email, "totp", totpAt(secret, now + 30_000));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(await storedHash()).toBe(rehashed);
  });
});
