import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDefaultDeployment } from "../../src/deployments/deployments.service.js";
import { NotFoundError } from "../../src/errors.js";
import { addEmail, addPhone } from "../../src/identifiers/identifiers.service.js";
import { listEmails, listPhones } from "../../src/identifiers/identifiers.storage.js";
import { findProfileImage } from "../../src/profile-images/profile-images.storage.js";
import { listSessions } from "../../src/sessions/sessions.storage.js";
import { linkSocialConnection, unlinkSocialConnection } from "../../src/social-connections/social-connections.service.js";
import { listSocialConnections } from "../../src/social-connections/social-connections.storage.js";
import type { Db, DbHandle } from "../../src/storage/db.js";
import type { Database } from "../../src/storage/tables.js";
import { createUser } from "../../src/user-accounts/user-accounts.service.js";
import { deleteUser } from "../../src/users/users.service.js";
import { deleteUserRow, findUser, listUsers } from "../../src/users/users.storage.js";
import { uniqueEmail, uniquePhone } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { insertTestSession } from "../helpers/fixtures.js";
import { openTestDb } from "../helpers/test-database.js";
import { TEST_CONTEXT } from "../helpers/change-context.js";

const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

/** Deleting a user takes everything that belongs to it, in one statement, and nothing else. */
describe.each(DIALECTS)("cascades on %s", (dialect) => {
  let handle: DbHandle;
  let db: Db;
  let deploymentId: string;

  beforeAll(async () => {
    handle = await openTestDb(dialect);
    db = handle.db;
    deploymentId = (await ensureDefaultDeployment(db)).id;
  });
  afterAll(async () => handle?.close());

  /** A user with one of everything: emails, phones, a picture, a social connection, sessions. */
  async function userWithEverything(label: string) {
    const user = await createUser(db, deploymentId, TEST_CONTEXT, {
      firstName: label,
      emailAddress: uniqueEmail(label),
      phoneNumber: uniquePhone(),
      skipPasswordCheck: true,
      profileImage: { bytes: PNG },
    });
    await addEmail(db, deploymentId, TEST_CONTEXT, user.id, { email: uniqueEmail(`${label}-second`) });
    await addPhone(db, deploymentId, TEST_CONTEXT, user.id, { phoneNumber: uniquePhone() });
    await linkSocialConnection(db, deploymentId, TEST_CONTEXT, user.id, {
      provider: "google",
      providerUserId: `${label}-${user.id}`,
      emailAddress: uniqueEmail(`${label}-google`),
    });
    await insertTestSession(db, deploymentId, user.id);
    await insertTestSession(db, deploymentId, user.id, { revokedAt: Date.now() });
    return user;
  }

  const tables = ["user_emails", "user_phones", "social_connections", "sessions", "profile_images"] as const satisfies ReadonlyArray<keyof Database>;

  async function rowsOf(userId: string): Promise<Record<(typeof tables)[number], number>> {
    const counts = await Promise.all(
      tables.map(async (table) => {
        const row = await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("count"))
          .where("user_id", "=", userId)
          .executeTakeFirstOrThrow();
        return [table, Number(row.count)] as const;
      }),
    );
    return Object.fromEntries(counts) as Record<(typeof tables)[number], number>;
  }

  it("deleteUserRow removes the user's emails, phones, social connections, sessions and profile images", async () => {
    const doomed = await userWithEverything("doomed");
    const survivor = await userWithEverything("survivor");
    const before = await rowsOf(doomed.id);
    expect(before).toEqual({ user_emails: 3, user_phones: 2, social_connections: 1, sessions: 2, profile_images: 1 });

    expect(await deleteUserRow(db, deploymentId, doomed.id)).toBe(true);

    expect(await rowsOf(doomed.id)).toEqual({ user_emails: 0, user_phones: 0, social_connections: 0, sessions: 0, profile_images: 0 });
    expect(await findUser(db, deploymentId, doomed.id)).toBeNull();
    expect(await findProfileImage(db, doomed.profileImageId!)).toBeNull();
    // The search index forgot the user too (SQLite keeps it in a separate FTS table).
    const found = await listUsers(db, deploymentId, {
      limit: 10,
      offset: 0,
      sortKey: "created_at",
      sortOrder: "asc",
      search: doomed.primaryEmailAddress!.toLowerCase(),
    });
    expect(found.total).toBe(0);

    // Nothing of anyone else went with it.
    expect(await rowsOf(survivor.id)).toEqual(before);
    expect(await findProfileImage(db, survivor.profileImageId!)).not.toBeNull();
    expect(await listSessions(db, deploymentId, survivor.id, { includeExpired: true, nowMs: Date.now() })).toHaveLength(2);

    // A second delete finds nothing; the service says so.
    expect(await deleteUserRow(db, deploymentId, doomed.id)).toBe(false);
    await expect(deleteUser(db, deploymentId, TEST_CONTEXT, doomed.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("the service deletes through the same cascade", async () => {
    const user = await userWithEverything("service");
    await deleteUser(db, deploymentId, TEST_CONTEXT, user.id);
    expect(await rowsOf(user.id)).toEqual({ user_emails: 0, user_phones: 0, social_connections: 0, sessions: 0, profile_images: 0 });
  });

  it("unlinking a social connection keeps the email it brought", async () => {
    const user = await createUser(db, deploymentId, TEST_CONTEXT, { emailAddress: uniqueEmail("keeps"), skipPasswordCheck: true });
    const githubEmail = uniqueEmail("github");
    const connection = await linkSocialConnection(db, deploymentId, TEST_CONTEXT, user.id, {
      provider: "github",
      providerUserId: `keeps-${user.id}`,
      emailAddress: githubEmail,
    });
    await unlinkSocialConnection(db, deploymentId, TEST_CONTEXT, user.id, connection.id);
    expect(await listSocialConnections(db, deploymentId, user.id)).toEqual([]);
    expect((await listEmails(db, deploymentId, user.id)).find((email) => email.email === githubEmail)).toMatchObject({
      verified: true,
      verificationStrategy: "oauth_github",
    });
    expect(await listPhones(db, deploymentId, user.id)).toEqual([]);
  });
});
