import { describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/passwords/hasher.js";
import { uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, RFC3339_UTC, createUser, getDetails, insertTestSession } from "../helpers/fixtures.js";
import { useServer } from "../helpers/use-server.js";

const PHC_ARGON2ID = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

describe.each(DIALECTS)("passwords and sessions on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;

  async function storedHash(userId: string): Promise<string | null> {
    const row = await server.db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirstOrThrow();
    return row.password_hash;
  }

  const setPassword = (userId: string, body: Record<string, unknown>) => call("PATCH", `/users/${userId}/password`, body);

  describe("update", () => {
    it("stores an argon2id PHC hash, answers {}, and sets has_password and last_password_reset_at", async () => {
      const user = await createUser(call, { password: undefined, skip_password_check: true });
      const before = await getDetails(call, user.id);
      expect(before).toMatchObject({ has_password: false, last_password_reset_at: null });

      const response = await setPassword(user.id, { new_password: "a perfectly fine passphrase" });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({});

      const after = await getDetails(call, user.id);
      expect(after.has_password).toBe(true);
      expect(after.last_password_reset_at).toMatch(RFC3339_UTC);
      const hash = await storedHash(user.id);
      expect(hash).toMatch(PHC_ARGON2ID);
      expect(await verifyPassword(hash!, "a perfectly fine passphrase")).toBe(true);
      expect(await verifyPassword(hash!, "a perfectly fine passphrasE")).toBe(false);
    });

    it("enforces 8 to 256 characters, naming the field and the rule", async () => {
      const user = await createUser(call);
      const hashBefore = await storedHash(user.id);
      const short = await setPassword(user.id, { new_password: "Ab3$xyz" });
      expect(short.status).toBe(400);
      expect(short.body).toMatchObject({ code: "password_too_short", details: { new_password: expect.stringContaining("at least 8") } });
      const long = await setPassword(user.id, { new_password: "x".repeat(257) });
      expect(long.status).toBe(400);
      expect(long.body).toMatchObject({ code: "password_too_long", details: { new_password: expect.stringContaining("at most 256") } });
      expect(await storedHash(user.id)).toBe(hashBefore);

      expect((await setPassword(user.id, { new_password: "Zq8#vLm2" })).status).toBe(200);
      const longest = "k9!".repeat(85) + "x";
      expect(longest).toHaveLength(256);
      expect((await setPassword(user.id, { new_password: longest })).status).toBe(200);
      expect(await verifyPassword((await storedHash(user.id))!, longest)).toBe(true);
    });

    it.each([["password123"], ["qwertyuiop"]])("refuses the very common password %s and says why", async (password) => {
      const user = await createUser(call);
      const response = await setPassword(user.id, { new_password: password });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("password_too_common");
      expect(response.body.details.new_password).toMatch(/common/);
      expect(response.body.message).toMatch(/new_password.*common/);
      const atCreate = await call("POST", "/users", { first_name: "C", last_name: "P", email_address: uniqueEmail(), password });
      expect(atCreate.status).toBe(400);
      expect(atCreate.body.details.password).toMatch(/common/);
    });

    it("skip_password_check skips the policy but not the 256-character maximum", async () => {
      const user = await createUser(call);
      expect((await setPassword(user.id, { new_password: "short", skip_password_check: true })).status).toBe(200);
      expect(await verifyPassword((await storedHash(user.id))!, "short")).toBe(true);
      expect((await setPassword(user.id, { new_password: "password123", skip_password_check: true })).status).toBe(200);
      const tooLong = await setPassword(user.id, { new_password: "y".repeat(257), skip_password_check: true });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.details).toHaveProperty("new_password");
      const atCreate = await call("POST", "/users", {
        first_name: "L",
        last_name: "P",
        email_address: uniqueEmail(),
        password: "y".repeat(257),
        skip_password_check: true,
      });
      expect(atCreate.status).toBe(400);
      expect(atCreate.body.details).toHaveProperty("password");
    });

    it("keeps passwords byte-exact: spaces are not trimmed, on update and on create", async () => {
      const spaced = " pass word with spaces ";
      const user = await createUser(call);
      expect((await setPassword(user.id, { new_password: spaced })).status).toBe(200);
      const hash = (await storedHash(user.id))!;
      expect(await verifyPassword(hash, spaced)).toBe(true);
      expect(await verifyPassword(hash, spaced.trim())).toBe(false);

      const form = new FormData();
      for (const [name, value] of Object.entries({ first_name: "S", last_name: "P", email_address: uniqueEmail(), password: spaced })) form.append(name, value);
      const created = await call("POST", "/users", form);
      expect(created.status).toBe(200);
      const createdHash = (await storedHash(created.body.id))!;
      expect(await verifyPassword(createdHash, spaced)).toBe(true);
      expect(await verifyPassword(createdHash, spaced.trim())).toBe(false);

      // Not Unicode-normalized either: the composed and decomposed "é" are different passwords.
      const composed = "caf\u00e9 au lait, s'il vous pla\u00eet";
      expect((await setPassword(user.id, { new_password: composed })).status).toBe(200);
      const unicodeHash = (await storedHash(user.id))!;
      expect(await verifyPassword(unicodeHash, composed)).toBe(true);
      expect(await verifyPassword(unicodeHash, composed.normalize("NFD"))).toBe(false);
    });

    it("never answers with the hash", async () => {
      const password = "never-in-a-response-9";
      const created = await call("POST", "/users", { first_name: "H", last_name: "P", email_address: uniqueEmail(), password });
      const hash = (await storedHash(created.body.id))!;
      const answers = [
        created,
        await setPassword(created.body.id, { new_password: password }),
        await call("GET", `/users/${created.body.id}/details`),
        await call("GET", `/users/${created.body.id}`),
        await call("GET", `/users?user_id=${created.body.id}`),
        await call("PATCH", `/users/${created.body.id}`, { first_name: "H2" }),
      ];
      const newHash = (await storedHash(created.body.id))!;
      for (const answer of answers) {
        const text = JSON.stringify(answer.body);
        expect(text).not.toContain(hash);
        expect(text).not.toContain(newHash);
        expect(text).not.toContain("argon2");
        expect(text).not.toContain(password);
        expect(text).not.toContain("password_hash");
      }
    });

    it("answers 404 for an unknown user", async () => {
      expect((await setPassword("usr_nobody", { new_password: GOOD_PASSWORD })).status).toBe(404);
      expect((await call("DELETE", "/users/usr_nobody/password")).status).toBe(404);
    });
  });

  describe("remove", () => {
    it("DELETE /users/{id}/password clears the hash and has_password", async () => {
      const user = await createUser(call);
      const response = await call("DELETE", `/users/${user.id}/password`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({});
      expect((await getDetails(call, user.id)).has_password).toBe(false);
      expect(await storedHash(user.id)).toBeNull();
    });
  });

  describe("sessions", () => {
    const activeSessionIds = async (userId: string) => (await call("GET", `/users/${userId}/sessions`)).body.data.map((session: any) => session.id).sort();

    it("lists active sessions; include_expired also shows revoked and expired ones", async () => {
      const user = await createUser(call);
      const active = await insertTestSession(server.db, server.deploymentId, user.id);
      const expired = await insertTestSession(server.db, server.deploymentId, user.id, { expiresInMs: -60_000 });
      const revoked = await insertTestSession(server.db, server.deploymentId, user.id, { revokedAt: Date.now() - 1000 });

      const list = await call("GET", `/users/${user.id}/sessions`);
      expect(list.status).toBe(200);
      expect(list.body.has_more).toBe(false);
      expect(list.body.data.map((s: any) => s.id)).toEqual([active]);
      const [session] = list.body.data;
      expect(session).toMatchObject({
        id: active,
        session_id: active,
        user_id: user.id,
        ip_address: "127.0.0.1",
        revoked_at: null,
        city: null,
        country_code: null,
      });
      for (const field of ["created_at", "updated_at", "expires_at", "last_active_at"]) expect(session[field]).toMatch(RFC3339_UTC);
      expect(JSON.stringify(list.body)).not.toContain("secret");

      const all = await call("GET", `/users/${user.id}/sessions?include_expired=true`);
      expect(all.body.data.map((s: any) => s.id).sort()).toEqual([active, expired, revoked].sort());
      expect(all.body.data.find((s: any) => s.id === revoked).revoked_at).toMatch(RFC3339_UTC);
      const bad = await call("GET", `/users/${user.id}/sessions?include_expired=maybe`);
      expect(bad.status).toBe(400);
      expect(bad.body.details).toHaveProperty("include_expired");
    });

    it("revokes one session; unknown or another user's session is 404", async () => {
      const user = await createUser(call);
      const other = await createUser(call);
      const first = await insertTestSession(server.db, server.deploymentId, user.id);
      const second = await insertTestSession(server.db, server.deploymentId, user.id);
      const othersSession = await insertTestSession(server.db, server.deploymentId, other.id);

      const response = await call("POST", `/users/${user.id}/sessions/${first}/revoke`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({});
      expect(await activeSessionIds(user.id)).toEqual([second]);
      const all = await call("GET", `/users/${user.id}/sessions?include_expired=true`);
      expect(all.body.data.find((s: any) => s.id === first).revoked_at).toMatch(RFC3339_UTC);

      const unknown = await call("POST", `/users/${user.id}/sessions/ses_nope/revoke`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe("session_not_found");
      expect((await call("POST", `/users/${user.id}/sessions/${othersSession}/revoke`)).status).toBe(404);
      expect(await activeSessionIds(other.id)).toEqual([othersSession]);
    });

    it("revoke-all answers {revoked: n} with the number of sessions it ended", async () => {
      const user = await createUser(call);
      const other = await createUser(call);
      await insertTestSession(server.db, server.deploymentId, user.id);
      await insertTestSession(server.db, server.deploymentId, user.id);
      await insertTestSession(server.db, server.deploymentId, user.id, { expiresInMs: -1000 });
      const othersSession = await insertTestSession(server.db, server.deploymentId, other.id);

      const response = await call("POST", `/users/${user.id}/sessions/revoke-all`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ revoked: 2 });
      expect(await activeSessionIds(user.id)).toEqual([]);
      expect((await call("POST", `/users/${user.id}/sessions/revoke-all`)).body).toEqual({ revoked: 0 });
      expect(await activeSessionIds(other.id)).toEqual([othersSession]);
    });

    it("a password change ends the sessions unless revoke_sessions is false", async () => {
      const user = await createUser(call);
      const kept = await insertTestSession(server.db, server.deploymentId, user.id);
      expect((await setPassword(user.id, { new_password: "first new passphrase", revoke_sessions: false })).status).toBe(200);
      expect(await activeSessionIds(user.id)).toEqual([kept]);

      expect((await setPassword(user.id, { new_password: "second new passphrase" })).status).toBe(200);
      expect(await activeSessionIds(user.id)).toEqual([]);
      const all = await call("GET", `/users/${user.id}/sessions?include_expired=true`);
      expect(all.body.data.map((s: any) => [s.id, typeof s.revoked_at])).toEqual([[kept, "string"]]);
    });

    it("a refused password change ends nothing", async () => {
      const user = await createUser(call);
      const session = await insertTestSession(server.db, server.deploymentId, user.id);
      expect((await setPassword(user.id, { new_password: "password123" })).status).toBe(400);
      expect(await activeSessionIds(user.id)).toEqual([session]);
    });

    it("disabling a user ends its sessions; enabling does not bring them back", async () => {
      const user = await createUser(call);
      await insertTestSession(server.db, server.deploymentId, user.id);
      await insertTestSession(server.db, server.deploymentId, user.id);
      const renamed = await call("PATCH", `/users/${user.id}`, { first_name: "Still active" });
      expect(renamed.status).toBe(200);
      expect(await activeSessionIds(user.id)).toHaveLength(2);

      const form = new FormData();
      form.append("disabled", "true");
      expect((await call("PATCH", `/users/${user.id}`, form)).status).toBe(200);
      expect(await activeSessionIds(user.id)).toEqual([]);
      expect((await call("PATCH", `/users/${user.id}`, { disabled: false })).body.disabled).toBe(false);
      expect(await activeSessionIds(user.id)).toEqual([]);
    });
  });
});
