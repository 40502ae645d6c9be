import { createHash, randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDeployment } from "../../src/deployments/deployments.service.js";
import { createApiKey } from "../../src/api-keys/api-keys.service.js";
import { apiClient, uniqueEmail, uniqueUsername } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { GOOD_PASSWORD, createUser, getDetails } from "../helpers/fixtures.js";
import { enrolTotp, freezeClockMidStep, issueBackupCodes, newTotpSecret, totpAt } from "../helpers/second-factors.js";
import { startServer } from "../helpers/start-server.js";
import { useServer } from "../helpers/use-server.js";

const MAX_FAILURES = 4;

describe.each(DIALECTS)("TOTP authenticators, backup codes and credential checks on %s", (dialect) => {
  const server = useServer(dialect, { config: { signInMaxFailures: MAX_FAILURES } });
  const call = server.call;
  afterEach(() => {
    vi.useRealTimers();
  });

  const verifyTotp = (userId: string, code: string) => call("POST", `/users/${userId}/verify-totp`, { code });

  describe("TOTP codes, computed by the otpauth package", () => {
    it("accepts the current step and the ones before and after, each once; refuses replays and wrong codes", async () => {
      const user = await createUser(call);
      const secret = await enrolTotp(call, user.id);
      const now = freezeClockMidStep();
      const previous = totpAt(secret, now - 30_000);
      const current = totpAt(secret, now);
      const next = totpAt(secret, now + 30_000);
      const twoAhead = totpAt(secret, now + 60_000);

      // Two steps away is outside the window.
      expectEnvelope(await verifyTotp(user.id, twoAhead), 422, "totp_incorrect");
      expect((await verifyTotp(user.id, previous)).body).toEqual({ verified: true, code_type: "totp" });
      expectEnvelope(await verifyTotp(user.id, previous), 422, "totp_incorrect");
      expect((await verifyTotp(user.id, current)).body).toEqual({ verified: true, code_type: "totp" });
      expectEnvelope(await verifyTotp(user.id, current), 422, "totp_incorrect");
      expect((await verifyTotp(user.id, next)).body).toEqual({ verified: true, code_type: "totp" });
      expectEnvelope(await verifyTotp(user.id, next), 422, "totp_incorrect");
    });

    it("refuses a code older than one already used (codes only move forward) and a wrong code", async () => {
      const user = await createUser(call);
      const secret = await enrolTotp(call, user.id);
      const now = freezeClockMidStep();
      expect((await verifyTotp(user.id, totpAt(secret, now + 30_000))).status).toBe(200);
      expectEnvelope(await verifyTotp(user.id, totpAt(secret, now)), 422, "totp_incorrect");
      const wrong = String((Number(totpAt(secret, now)) + 1) % 1_000_000).padStart(6, "0");
      expectEnvelope(await verifyTotp(user.id, wrong), 422, "totp_incorrect");
      // Another secret's code is wrong here.
      expectEnvelope(await verifyTotp(user.id, totpAt(newTotpSecret(), now)), 422, "totp_incorrect");
    });

    it("lets exactly one of several concurrent uses of one code through", async () => {
      const user = await createUser(call);
      const secret = await enrolTotp(call, user.id);
      const now = freezeClockMidStep();
      const code = totpAt(secret, now);
      const answers = await Promise.all(Array.from({ length: 3 }, () => verifyTotp(user.id, code)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 422, 422]);
    });
  });

  describe("enrolment", () => {
    it("stores the secret sealed, never in clear, and never answers it again", async () => {
      const user = await createUser(call);
      const secret = newTotpSecret();
      const created = await call("POST", `/users/${user.id}/authenticators`, { secret }, { "idempotency-key": `totp-${user.id}` });
      expect(created.status).toBe(200);
      expect(created.body.id).toMatch(/^tot_/);
      const row = await server.db.selectFrom("totp_authenticators").selectAll().where("user_id", "=", user.id).executeTakeFirstOrThrow();
      expect(row.secret_sealed).toMatch(/^ws1\./);
      expect(row.secret_sealed).not.toContain(secret);
      expect(server.app.secretBox.open(row.secret_sealed, `totp_secret:${created.body.id}`)).toBe(secret);
      // The answer held the secret, so it was not kept for idempotent replay.
      const stored = await server.db.selectFrom("idempotency_keys").selectAll().where("idempotency_key", "=", `totp-${user.id}`).execute();
      expect(stored).toEqual([]);
      const details = await getDetails(call, user.id);
      expect(JSON.stringify(details)).not.toContain(secret);
      expect(details).toMatchObject({ totp_enabled: true, has_backup_codes: false, passkeys_count: 0 });
    });

    it("keeps working after an encryption-key rotation, and reseals the secret under the new key on use", async () => {
      const user = await createUser(call);
      const secret = await enrolTotp(call, user.id);
      const oldKey = createHash("sha256").update(server.databaseUrl).digest();
      const rotated = await startServer(dialect, { databaseUrl: server.databaseUrl, config: { encryptionKeys: [randomBytes(32), oldKey] } });
      try {
        const before = await server.db.selectFrom("totp_authenticators").select("secret_sealed").where("user_id", "=", user.id).executeTakeFirstOrThrow();
        expect(rotated.app.secretBox.isSealedWithOldKey(before.secret_sealed)).toBe(true);
        const answer = await apiClient(rotated.baseUrl, server.apiKey)("POST", `/users/${user.id}/verify-totp`, { code: totpAt(secret, Date.now()) });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        const after = await server.db.selectFrom("totp_authenticators").select("secret_sealed").where("user_id", "=", user.id).executeTakeFirstOrThrow();
        expect(rotated.app.secretBox.isSealedWithOldKey(after.secret_sealed)).toBe(false);
        expect(after.secret_sealed).not.toBe(before.secret_sealed);
      } finally {
        await rotated.close();
      }
    });

    it("labels the account: account_name, else primary email, username, full name, user-{id}; percent-encoded", async () => {
      const secret = newTotpSecret();
      const url = async (fields: Record<string, unknown>, accountName?: string) => {
        const user = await createUser(call, fields);
        const response = await call("POST", `/users/${user.id}/authenticators`, { secret, ...(accountName !== undefined && { account_name: accountName }) });
        expect(response.status, JSON.stringify(response.body)).toBe(200);
        return { user, otpUrl: response.body.otp_url as string };
      };
      const tail = `?secret=${secret}&issuer=Wacht&algorithm=SHA1&digits=6&period=30`;
      const named = await url({}, "  Ada's phone (work) *  ");
      expect(named.otpUrl).toBe(`otpauth://totp/Wacht:Ada%27s%20phone%20%28work%29%20%2A${tail}`);
      const blank = await url({ email_address: "Ada+tag@Example.com" }, "   ");
      expect(blank.otpUrl).toBe(`otpauth://totp/Wacht:Ada%2Btag%40Example.com${tail}`);
      const username = uniqueUsername("label");
      const byUsername = await url({ email_address: undefined, username });
      expect(byUsername.otpUrl).toBe(`otpauth://totp/Wacht:${username}${tail}`);
      const byName = await url({ email_address: undefined, username: undefined, phone_number: "+14155550123", first_name: "Grace", last_name: "Hopper" });
      expect(byName.otpUrl).toBe(`otpauth://totp/Wacht:Grace%20Hopper${tail}`);
      const byId = await url({ email_address: undefined, phone_number: "+14155550124", first_name: "", last_name: "" });
      expect(byId.otpUrl).toBe(`otpauth://totp/Wacht:user-${byId.user.id}${tail}`);
    });

    it("uses the deployment's name as the issuer", async () => {
      const deployment = await createDeployment(server.db, "Acme Café & Co");
      const { secret: key } = await createApiKey(server.db, deployment.id, "acme");
      const acme = apiClient(server.baseUrl, key);
      const user = await createUser(acme);
      const secret = newTotpSecret();
      const response = await acme("POST", `/users/${user.id}/authenticators`, { secret });
      const issuer = "Acme%20Caf%C3%A9%20%26%20Co";
      expect(response.body.otp_url).toBe(
        `otpauth://totp/${issuer}:${encodeURIComponent(user.primary_email_address)}?secret=${secret}&issuer=${issuer}&algorithm=SHA1&digits=6&period=30`,
      );
      // Tenancy: the default deployment's key does not see that user.
      expectEnvelope(await call("DELETE", `/users/${user.id}/authenticators`), 404, "user_not_found");
    });

    it("refuses a second authenticator with 409 and a bad secret with 400 naming the field", async () => {
      const user = await createUser(call);
      await enrolTotp(call, user.id);
      expectEnvelope(await call("POST", `/users/${user.id}/authenticators`, { secret: newTotpSecret() }), 409, "authenticator_exists");
      const bad = expectEnvelope(await call("POST", `/users/${user.id}/authenticators`, { secret: "ABCDEFGH" }), 400, "invalid_totp_secret");
      expect(Object.keys(bad.details)).toEqual(["secret"]);
      expectEnvelope(await call("POST", `/users/${user.id}/authenticators`, {}), 400);
      expectEnvelope(await call("POST", `/users/${user.id}/authenticators`, { secret: newTotpSecret(), extra: 1 }), 400);
    });

    it("lets one of two concurrent enrolments win", async () => {
      const user = await createUser(call);
      const answers = await Promise.all([0, 1].map(() => call("POST", `/users/${user.id}/authenticators`, { secret: newTotpSecret() })));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    });
  });

  describe("backup codes", () => {
    it("work once each, with or without the dash; hashes only are stored; the last one used clears has_backup_codes", async () => {
      const user = await createUser(call);
      const codes = await issueBackupCodes(call, user.id);
      const rows = await server.db.selectFrom("backup_codes").select("code_hash").where("user_id", "=", user.id).execute();
      expect(rows).toHaveLength(12);
      for (const row of rows) expect(row.code_hash).toMatch(/^\$argon2id\$/);
      expect(JSON.stringify(rows)).not.toContain(codes[0]!.replace("-", ""));

      expect((await verifyTotp(user.id, codes[0]!)).body).toEqual({ verified: true, code_type: "backup_code" });
      expectEnvelope(await verifyTotp(user.id, codes[0]!), 422, "totp_incorrect");
      expect((await verifyTotp(user.id, codes[1]!.replace("-", ""))).status).toBe(200);
      // Case matters: the alphabet has both.
      const swapped = codes[2]!.replace(/[a-zA-Z]/, (char) => (char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase()));
      if (swapped !== codes[2]) expectEnvelope(await verifyTotp(user.id, swapped), 422, "totp_incorrect");
      for (const code of codes.slice(2)) expect((await verifyTotp(user.id, code)).status).toBe(200);
      expect((await getDetails(call, user.id)).has_backup_codes).toBe(false);
    });

    it("are not kept for idempotent replay", async () => {
      const user = await createUser(call);
      const first = await call("POST", `/users/${user.id}/backup-codes/regenerate`, undefined, { "idempotency-key": `codes-${user.id}` });
      const again = await call("POST", `/users/${user.id}/backup-codes/regenerate`, undefined, { "idempotency-key": `codes-${user.id}` });
      expect(again.headers.get("idempotent-replayed")).toBeNull();
      expect(again.body.backup_codes).not.toEqual(first.body.backup_codes);
    });
  });

  it("deleting a user deletes its authenticator, backup codes and passkeys", async () => {
    const user = await createUser(call);
    await enrolTotp(call, user.id);
    await issueBackupCodes(call, user.id);
    expect((await call("DELETE", `/users/${user.id}`)).status).toBe(200);
    for (const table of ["totp_authenticators", "backup_codes", "passkeys", "pending_sign_ins"] as const) {
      expect(await server.db.selectFrom(table).selectAll().where("user_id", "=", user.id).execute(), table).toEqual([]);
    }
  });

  describe("verify-password and verify-totp", () => {
    it("verify-password answers {verified:true}, 422 when wrong, 400 without a password, 404 for no user", async () => {
      const user = await createUser(call);
      expect((await call("POST", `/users/${user.id}/verify-password`, { password: GOOD_PASSWORD })).body).toEqual({ verified: true });
      expectEnvelope(await call("POST", `/users/${user.id}/verify-password`, { password: "wrong password" }), 422, "password_incorrect");
      const passwordless = await createUser(call, { password: undefined, skip_password_check: true });
      expectEnvelope(await call("POST", `/users/${passwordless.id}/verify-password`, { password: GOOD_PASSWORD }), 400, "user_has_no_password");
      expectEnvelope(await call("POST", `/users/usr_nosuchuser/verify-password`, { password: GOOD_PASSWORD }), 404, "user_not_found");
      expectEnvelope(await call("POST", `/users/${user.id}/verify-password`, {}), 400);
    });

    it("verify-totp answers 400 for a user with no second factor", async () => {
      const user = await createUser(call);
      expectEnvelope(await verifyTotp(user.id, "123456"), 400, "second_factor_not_set");
    });

    it("count wrong answers toward the sign-in lockout, which then refuses even the right ones", async () => {
      const user = await createUser(call, { email_address: uniqueEmail("throttle") });
      const secret = await enrolTotp(call, user.id);
      for (let i = 0; i < MAX_FAILURES / 2; i++) expect((await call("POST", `/users/${user.id}/verify-password`, { password: `wrong ${i}` })).status).toBe(422);
      for (let i = 0; i < MAX_FAILURES / 2; i++) expect((await verifyTotp(user.id, "000000")).status).toBe(422);
      expect((await getDetails(call, user.id)).locked).toBe(true);
      expectEnvelope(await call("POST", `/users/${user.id}/verify-password`, { password: GOOD_PASSWORD }), 403, "user_locked");
      expectEnvelope(await verifyTotp(user.id, totpAt(secret, Date.now())), 403, "user_locked");
      expect((await call("POST", `/users/${user.id}/unlock`)).status).toBe(200);
      expect((await call("POST", `/users/${user.id}/verify-password`, { password: GOOD_PASSWORD })).status).toBe(200);
    });
  });
});
