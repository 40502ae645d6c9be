import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiKey, countActiveApiKeys, createApiKey, listApiKeys, revokeApiKey } from "../../src/api-keys/api-keys.service.js";
import { createDeployment, ensureDefaultDeployment, listDeployments } from "../../src/deployments/deployments.service.js";
import { addEmail, addPhone, updateEmail } from "../../src/identifiers/identifiers.service.js";
import { listEmails, listPhones } from "../../src/identifiers/identifiers.storage.js";
import { updatePassword } from "../../src/passwords/passwords.service.js";
import { findProfileImage } from "../../src/profile-images/profile-images.storage.js";
import { findSession, listSessions, revokeSessions } from "../../src/sessions/sessions.storage.js";
import type { Db, DbHandle } from "../../src/storage/db.js";
import { createUser, updateUser } from "../../src/user-accounts/user-accounts.service.js";
import { findUser, listUsers, updateUserRecord } from "../../src/users/users.storage.js";
import { uniqueEmail, uniquePhone } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { insertTestSession } from "../helpers/fixtures.js";
import { openTestDb } from "../helpers/test-database.js";
import { TEST_CONTEXT } from "../helpers/change-context.js";

/**
 * Booleans and times round-trip as JS booleans and numbers on both engines: SQLite has no
 * boolean (0/1) and Postgres returns BIGINT as a string unless told otherwise. Text, JSON and
 * bytes come back exactly as written.
 */
describe.each(DIALECTS)("round trips on %s", (dialect) => {
  let handle: DbHandle;
  let db: Db;
  let deploymentId: string;

  beforeAll(async () => {
    handle = await openTestDb(dialect);
    db = handle.db;
    deploymentId = (await ensureDefaultDeployment(db)).id;
  });
  afterAll(async () => handle?.close());

  const expectTime = (value: unknown, near = Date.now()) => {
    expect(typeof value).toBe("number");
    expect(Number.isInteger(value)).toBe(true);
    expect(Math.abs((value as number) - near)).toBeLessThan(60_000);
  };

  it("users: booleans are booleans, times are integer milliseconds", async () => {
    const before = Date.now();
    const created = await createUser(db, deploymentId, TEST_CONTEXT, { emailAddress: uniqueEmail("types"), skipPasswordCheck: true });
    const user = (await findUser(db, deploymentId, created.id))!;
    expect(user.disabled).toBe(false);
    expect(user.hasPassword).toBe(false);
    expect(user.lastPasswordResetAt).toBeNull();
    expectTime(user.createdAt);
    expect(user.createdAt).toBeGreaterThanOrEqual(before);
    expectTime(user.updatedAt);

    await updateUser(db, deploymentId, TEST_CONTEXT, user.id, { disabled: true });
    await updatePassword(db, deploymentId, TEST_CONTEXT, user.id, { newPassword: "round trip password", skipPasswordCheck: true });
    const changed = (await findUser(db, deploymentId, user.id))!;
    expect(changed.disabled).toBe(true);
    expect(changed.hasPassword).toBe(true);
    expectTime(changed.lastPasswordResetAt);

    // Far-future times survive exactly (BIGINT on Postgres, INTEGER on SQLite: no 32-bit overflow, no float rounding).
    const farFuture = Date.UTC(2999, 11, 31, 23, 59, 59, 999);
    await updateUserRecord(db, deploymentId, user.id, { lastPasswordResetAt: farFuture, disabled: false });
    const far = (await findUser(db, deploymentId, user.id))!;
    expect(far.lastPasswordResetAt).toBe(farFuture);
    expect(far.disabled).toBe(false);

    const page = await listUsers(db, deploymentId, { limit: 10, offset: 0, sortKey: "created_at", sortOrder: "asc", userIds: [user.id] });
    expect(page.total).toBe(1);
    expect(typeof page.total).toBe("number");
    expect(page.items[0]!.disabled).toBe(false);
    // A list item carries what the list shows (no hasPassword); its flags and times keep their types too.
    expect(page.items[0]!.twoFactorEnabled).toBe(false);
    expect(page.items[0]!.lastSignInAt).toBeNull();
    expect(page.items[0]!.lockedUntil).toBeNull();
    expect(page.items[0]!.createdAt).toBe(user.createdAt);
    expect(page.items[0]!.updatedAt).toBe(changed.updatedAt);
  });

  it("emails and phones: flags are booleans, verified_at a number or null", async () => {
    const user = await createUser(db, deploymentId, TEST_CONTEXT, { emailAddress: uniqueEmail("flags"), phoneNumber: uniquePhone(), skipPasswordCheck: true });
    const unverified = await addEmail(db, deploymentId, TEST_CONTEXT, user.id, { email: uniqueEmail("unverified") });
    const emails = await listEmails(db, deploymentId, user.id);
    const primary = emails.find((email) => email.id === user.primaryEmailAddressId);
    const second = emails.find((email) => email.id === unverified.id);
    expect([primary!.isPrimary, primary!.verified]).toEqual([true, true]);
    expectTime(primary!.verifiedAt);
    expect([second!.id, second!.isPrimary, second!.verified, second!.verifiedAt]).toEqual([unverified.id, false, false, null]);
    expectTime(second!.createdAt);

    const verified = await updateEmail(db, deploymentId, TEST_CONTEXT, user.id, unverified.id, { verified: true });
    expect(verified.verified).toBe(true);
    expectTime(verified.verifiedAt);

    const added = await addPhone(db, deploymentId, TEST_CONTEXT, user.id, { phoneNumber: uniquePhone() });
    const phones = await listPhones(db, deploymentId, user.id);
    const primaryPhone = phones.find((phone) => phone.id === user.primaryPhoneNumberId)!;
    const addedPhone = phones.find((phone) => phone.id === added.id)!;
    expect([primaryPhone.isPrimary, primaryPhone.verified, typeof primaryPhone.verifiedAt]).toEqual([true, true, "number"]);
    expect([addedPhone.isPrimary, addedPhone.verified, addedPhone.verifiedAt]).toEqual([false, false, null]);
  });

  it("sessions: times are numbers, revoked_at null until revoked", async () => {
    const user = await createUser(db, deploymentId, TEST_CONTEXT, { emailAddress: uniqueEmail("sessions"), skipPasswordCheck: true });
    const sessionId = await insertTestSession(db, deploymentId, user.id, { expiresInMs: 3_600_000 });
    const session = (await findSession(db, deploymentId, sessionId))!;
    expectTime(session.createdAt);
    expectTime(session.lastActiveAt);
    expect(session.expiresAt - session.createdAt).toBe(3_600_000);
    expect(session.revokedAt).toBeNull();
    expect(await revokeSessions(db, deploymentId, user.id, Date.now())).toBe(1);
    const [revoked] = await listSessions(db, deploymentId, user.id, { includeExpired: true, nowMs: Date.now() });
    expectTime(revoked!.revokedAt);
  });

  it("deployments and API keys: is_default is a boolean, times numbers, counts numbers", async () => {
    const other = await createDeployment(db, "round trip");
    const deployments = await listDeployments(db);
    expect(deployments.find((deployment) => deployment.id === deploymentId)!.isDefault).toBe(true);
    expect(deployments.find((deployment) => deployment.id === other.id)!.isDefault).toBe(false);
    for (const deployment of deployments) expectTime(deployment.createdAt);

    const { apiKey, secret } = await createApiKey(db, other.id, "typed");
    expect(await countActiveApiKeys(db, other.id)).toBe(1);
    await authenticateApiKey(db, secret);
    const [listed] = await listApiKeys(db, other.id);
    expect(listed!.id).toBe(apiKey.id);
    expectTime(listed!.createdAt);
    expectTime(listed!.lastUsedAt);
    expect(listed!.revokedAt).toBeNull();
    await revokeApiKey(db, apiKey.id);
    expectTime((await listApiKeys(db, other.id))[0]!.revokedAt);
    expect(await countActiveApiKeys(db, other.id)).toBe(0);
  });

  it("text, metadata and image bytes come back exactly as written", async () => {
    const metadata = {
      unicode: "Zoë 💥 日本語 \u202e",
      quote: `"'\\`,
      nul: "a\u0000b",
      numbers: [0, -1, 1.5, 1e-7, Number.MAX_SAFE_INTEGER],
      nested: { empty: {}, list: [], null: null, flag: false },
    };
    // A PNG signature and header (1×1: pictures must say their size), then bytes of every awkward kind.
    const bytes = Buffer.concat([
      Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex"),
      Buffer.from([0x00, 0xff, 0x00, 0x7f, 0x80]),
    ]);
    const user = await createUser(db, deploymentId, TEST_CONTEXT, {
      firstName: "Zoë 💥",
      lastName: "O'Brien-日本",
      emailAddress: uniqueEmail("text"),
      skipPasswordCheck: true,
      publicMetadata: metadata,
      privateMetadata: { secret: "kept apart" },
      profileImage: { bytes },
    });
    const found = (await findUser(db, deploymentId, user.id))!;
    expect(found.firstName).toBe("Zoë 💥");
    expect(found.lastName).toBe("O'Brien-日本");
    expect(found.publicMetadata).toEqual(metadata);
    expect(found.privateMetadata).toEqual({ secret: "kept apart" });
    const image = (await findProfileImage(db, found.profileImageId!))!;
    expect(image.contentType).toBe("image/png");
    expect(Buffer.isBuffer(image.bytes)).toBe(true);
    expect(image.bytes.equals(bytes)).toBe(true);
  });
});
