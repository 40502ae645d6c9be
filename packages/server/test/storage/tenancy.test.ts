import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiKey, createApiKey } from "../../src/api-keys/api-keys.service.js";
import { createDeployment, ensureDefaultDeployment } from "../../src/deployments/deployments.service.js";
import { NotFoundError } from "../../src/errors.js";
import { addEmail, addPhone, makeEmailPrimary, makePhonePrimary, removePhone, updateEmail, updatePhone } from "../../src/identifiers/identifiers.service.js";
import { clearPrimary, deleteIdentifierRow, listEmails, listPhones, updateEmailRecord } from "../../src/identifiers/identifiers.storage.js";
import { removePassword, updatePassword } from "../../src/passwords/passwords.service.js";
import { revokeAllUserSessions, revokeUserSession } from "../../src/sessions/sessions.service.js";
import { findSession, listSessions, revokeSessions } from "../../src/sessions/sessions.storage.js";
import { linkSocialConnection, unlinkSocialConnection } from "../../src/social-connections/social-connections.service.js";
import { deleteSocialConnectionRow, listSocialConnections } from "../../src/social-connections/social-connections.storage.js";
import type { Db, DbHandle } from "../../src/storage/db.js";
import { createUser, getUserDetails, removeEmail, updateUser } from "../../src/user-accounts/user-accounts.service.js";
import { deleteUser, type User } from "../../src/users/users.service.js";
import { deleteUserRow, findPasswordHash, findUser, listUsers, refreshUserDerivedColumns, updateUserRecord } from "../../src/users/users.storage.js";
import { uniqueEmail, uniquePhone, uniqueUsername } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { insertTestSession } from "../helpers/fixtures.js";
import { openTestDb } from "../helpers/test-database.js";
import { TEST_CONTEXT } from "../helpers/change-context.js";

/**
 * Tenancy contract: every read and write is scoped by deployment, so a user of deployment A is
 * invisible to deployment B: B's calls find nothing, change nothing and answer "not found".
 */
describe.each(DIALECTS)("tenancy on %s", (dialect) => {
  let handle: DbHandle;
  let db: Db;
  let deploymentA: string;
  let deploymentB: string;
  let user: User;
  let emailId: string;
  let phoneId: string;
  let connectionId: string;
  let sessionId: string;
  const email = uniqueEmail("tenant");
  const phone = uniquePhone();
  const username = uniqueUsername("tenant");

  beforeAll(async () => {
    handle = await openTestDb(dialect);
    db = handle.db;
    deploymentA = (await ensureDefaultDeployment(db)).id;
    deploymentB = (await createDeployment(db, "other")).id;
    user = await createUser(db, deploymentA, TEST_CONTEXT, {
      firstName: "Alice",
      emailAddress: email,
      phoneNumber: phone,
      username,
      password: "a password of deployment A",
    });
    emailId = user.primaryEmailAddressId!;
    phoneId = user.primaryPhoneNumberId!;
    connectionId = (await linkSocialConnection(db, deploymentA, TEST_CONTEXT, user.id, { provider: "github", providerUserId: "tenant-1" })).id;
    sessionId = await insertTestSession(db, deploymentA, user.id);
  });
  afterAll(async () => handle?.close());

  /** A's user, read through A, is exactly as the test set it up. */
  async function expectUntouched() {
    const details = await getUserDetails(db, deploymentA, user.id);
    expect(details.user).toMatchObject({ firstName: "Alice", username, primaryEmailAddressId: emailId, primaryPhoneNumberId: phoneId, hasPassword: true });
    expect(details.emails.map((item) => [item.id, item.isPrimary, item.verified])).toEqual([[emailId, true, true]]);
    expect(details.phones.map((item) => [item.id, item.isPrimary])).toEqual([[phoneId, true]]);
    expect(details.socialConnections.map((item) => item.id)).toEqual([connectionId]);
    expect((await listSessions(db, deploymentA, user.id, { includeExpired: false, nowMs: Date.now() })).map((session) => session.id)).toEqual([sessionId]);
  }

  it("B's reads find nothing of A's user", async () => {
    expect(await findUser(db, deploymentB, user.id)).toBeNull();
    expect(await findPasswordHash(db, deploymentB, user.id)).toBeNull();
    await expect(getUserDetails(db, deploymentB, user.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await listEmails(db, deploymentB, user.id)).toEqual([]);
    expect(await listPhones(db, deploymentB, user.id)).toEqual([]);
    expect(await listSocialConnections(db, deploymentB, user.id)).toEqual([]);
    expect(await listSessions(db, deploymentB, user.id, { includeExpired: true, nowMs: Date.now() })).toEqual([]);
    expect(await findSession(db, deploymentB, sessionId)).toBeNull();

    const query = { limit: 100, offset: 0, sortKey: "created_at", sortOrder: "asc" } as const;
    expect((await listUsers(db, deploymentB, query)).total).toBe(0);
    for (const filter of [
      { search: "alice" },
      { search: email.slice(0, 2) },
      { normalizedEmails: [email] },
      { phoneNumbers: [phone] },
      { normalizedUsernames: [username.toLowerCase()] },
      { userIds: [user.id] },
    ]) {
      const page = await listUsers(db, deploymentB, { ...query, ...filter });
      expect(page, JSON.stringify(filter)).toEqual({ items: [], total: 0, hasMore: false });
    }
    // …while A sees it.
    expect((await listUsers(db, deploymentA, { ...query, search: "alice" })).items.map((item) => item.id)).toEqual([user.id]);
  });

  it("B's storage writes change nothing of A's user", async () => {
    expect(await updateUserRecord(db, deploymentB, user.id, { firstName: "Mallory" })).toBe(false);
    expect(await deleteUserRow(db, deploymentB, user.id)).toBe(false);
    await updateEmailRecord(db, deploymentB, emailId, { address: { email: "mallory@example.com", normalized: "mallory@example.com" }, updatedAt: Date.now() });
    await deleteIdentifierRow(db, "user_emails", deploymentB, emailId);
    await deleteIdentifierRow(db, "user_phones", deploymentB, phoneId);
    await clearPrimary(db, "user_emails", deploymentB, user.id, Date.now());
    await clearPrimary(db, "user_phones", deploymentB, user.id, Date.now());
    await refreshUserDerivedColumns(db, deploymentB, user.id, Date.now());
    expect(await deleteSocialConnectionRow(db, deploymentB, user.id, connectionId)).toBe(false);
    expect(await revokeSessions(db, deploymentB, user.id, Date.now())).toBe(0);
    expect(await revokeSessions(db, deploymentB, user.id, Date.now(), sessionId)).toBe(0);
    await expectUntouched();
  });

  it("B's service calls answer not found and change nothing", async () => {
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["updateUser", () => updateUser(db, deploymentB, TEST_CONTEXT, user.id, { firstName: "Mallory", disabled: true })],
      ["deleteUser", () => deleteUser(db, deploymentB, TEST_CONTEXT, user.id)],
      ["addEmail", () => addEmail(db, deploymentB, TEST_CONTEXT, user.id, { email: uniqueEmail("mallory"), verified: true, isPrimary: true })],
      ["updateEmail", () => updateEmail(db, deploymentB, TEST_CONTEXT, user.id, emailId, { email: uniqueEmail("mallory") })],
      ["removeEmail", () => removeEmail(db, deploymentB, TEST_CONTEXT, user.id, emailId)],
      ["makeEmailPrimary", () => makeEmailPrimary(db, deploymentB, TEST_CONTEXT, user.id, emailId)],
      ["addPhone", () => addPhone(db, deploymentB, TEST_CONTEXT, user.id, { phoneNumber: uniquePhone(), verified: true, isPrimary: true })],
      ["updatePhone", () => updatePhone(db, deploymentB, TEST_CONTEXT, user.id, phoneId, { verified: false })],
      ["removePhone", () => removePhone(db, deploymentB, TEST_CONTEXT, user.id, phoneId)],
      ["makePhonePrimary", () => makePhonePrimary(db, deploymentB, TEST_CONTEXT, user.id, phoneId)],
      ["updatePassword", () => updatePassword(db, deploymentB, TEST_CONTEXT, user.id, { newPassword: "mallory's password", skipPasswordCheck: true })],
      ["removePassword", () => removePassword(db, deploymentB, TEST_CONTEXT, user.id)],
      ["linkSocialConnection", () => linkSocialConnection(db, deploymentB, TEST_CONTEXT, user.id, { provider: "github", providerUserId: "mallory" })],
      ["unlinkSocialConnection", () => unlinkSocialConnection(db, deploymentB, TEST_CONTEXT, user.id, connectionId)],
      ["revokeUserSession", () => revokeUserSession(db, deploymentB, TEST_CONTEXT, user.id, sessionId)],
      ["revokeAllUserSessions", () => revokeAllUserSessions(db, deploymentB, TEST_CONTEXT, user.id)],
    ];
    for (const [name, call] of calls) {
      const error = await call().then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error, name).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).code, name).toBe("user_not_found");
    }
    await expectUntouched();
  });

  it("identifiers are unique per deployment: B may use A's email, phone, username and provider account", async () => {
    const twin = await createUser(db, deploymentB, TEST_CONTEXT, {
      firstName: "Twin",
      emailAddress: email.toUpperCase(),
      phoneNumber: phone,
      username,
      skipPasswordCheck: true,
    });
    await linkSocialConnection(db, deploymentB, TEST_CONTEXT, twin.id, { provider: "github", providerUserId: "tenant-1" });
    expect(
      (await listUsers(db, deploymentB, { limit: 10, offset: 0, sortKey: "created_at", sortOrder: "asc", normalizedEmails: [email] })).items.map(
        (item) => item.id,
      ),
    ).toEqual([twin.id]);
    expect(
      (await listUsers(db, deploymentA, { limit: 10, offset: 0, sortKey: "created_at", sortOrder: "asc", normalizedEmails: [email] })).items.map(
        (item) => item.id,
      ),
    ).toEqual([user.id]);
    // Deleting the twin leaves A's user alone, though they share every identifier.
    await deleteUser(db, deploymentB, TEST_CONTEXT, twin.id);
    await expectUntouched();
  });

  it("an API key authenticates to its own deployment only", async () => {
    const keyA = await createApiKey(db, deploymentA, "a");
    const keyB = await createApiKey(db, deploymentB, "b");
    expect(await authenticateApiKey(db, keyA.secret)).toEqual({ keyId: keyA.apiKey.id, keyName: keyA.apiKey.name, deploymentId: deploymentA });
    expect(await authenticateApiKey(db, keyB.secret)).toEqual({ keyId: keyB.apiKey.id, keyName: keyB.apiKey.name, deploymentId: deploymentB });
  });
});
