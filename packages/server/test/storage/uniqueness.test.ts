import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError } from "../../src/errors.js";
import { generateId } from "../../src/ids.js";
import { addEmail, addPhone, updateEmail, updatePhone } from "../../src/identifiers/identifiers.service.js";
import { insertEmail, listEmails } from "../../src/identifiers/identifiers.storage.js";
import { linkSocialConnection } from "../../src/social-connections/social-connections.service.js";
import { ensureDefaultDeployment } from "../../src/deployments/deployments.service.js";
import { uniqueViolationOf } from "../../src/storage/dialect.js";
import type { Db, DbHandle } from "../../src/storage/db.js";
import { createUser, updateUser } from "../../src/user-accounts/user-accounts.service.js";
import { listUsers } from "../../src/users/users.storage.js";
import { uniqueEmail, uniquePhone, uniqueUsername } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { openTestDb } from "../helpers/test-database.js";
import { TEST_CONTEXT } from "../helpers/change-context.js";

/**
 * Uniqueness contract, in the style of Kratos's TestPool: the unique indexes decide, and the
 * services turn a violation into a ConflictError with the code and field of the wire protocol.
 */
describe.each(DIALECTS)("uniqueness and case-folding on %s", (dialect) => {
  let handle: DbHandle;
  let db: Db;
  let deploymentId: string;

  beforeAll(async () => {
    handle = await openTestDb(dialect);
    db = handle.db;
    deploymentId = (await ensureDefaultDeployment(db)).id;
  });
  afterAll(async () => handle?.close());

  const newUser = (fields: Parameters<typeof createUser>[2] = {}) =>
    createUser(db, deploymentId, TEST_CONTEXT, { emailAddress: uniqueEmail("uniq"), skipPasswordCheck: true, ...fields });

  /** Runs `write` and returns the ConflictError it must throw. */
  async function conflictOf(write: () => Promise<unknown>): Promise<ConflictError> {
    const error = await write().then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConflictError);
    return error as ConflictError;
  }

  const usersNamed = async (firstName: string) =>
    (await db.selectFrom("users").select("id").where("deployment_id", "=", deploymentId).where("first_name", "=", firstName).execute()).length;

  it("keeps an email as given and decides uniqueness on its case-folded form", async () => {
    const local = uniqueEmail("Mixed.Case").split("@")[0]!;
    const user = await newUser({ emailAddress: `  ${local}@Example.COM ` });
    const [email] = await listEmails(db, deploymentId, user.id);
    expect(email!.email).toBe(`${local}@Example.COM`);
    const row = await db.selectFrom("user_emails").select("email_normalized").where("id", "=", email!.id).executeTakeFirstOrThrow();
    expect(row.email_normalized).toBe(`${local}@example.com`.toLowerCase());
    expect(user.primaryEmailAddress).toBe(`${local}@Example.COM`);

    const error = await conflictOf(() => newUser({ firstName: "Loser", emailAddress: `${local.toUpperCase()}@EXAMPLE.com` }));
    expect(error.code).toBe("email_taken");
    expect(error.statusCode).toBe(409);
    expect(error.details).toEqual({ email_address: expect.any(String) });
    // The whole create rolled back: no user row without its email.
    expect(await usersNamed("Loser")).toBe(0);

    // Exact lookups fold case the same way.
    const found = await listUsers(db, deploymentId, {
      limit: 10,
      offset: 0,
      sortKey: "created_at",
      sortOrder: "asc",
      normalizedEmails: [`${local}@example.com`.toLowerCase()],
    });
    expect(found.items.map((item) => item.id)).toEqual([user.id]);
  });

  it("answers email_taken (field email) when adding or changing an email to one in use", async () => {
    const owner = await newUser();
    const other = await newUser();
    const taken = owner.primaryEmailAddress!.toUpperCase();
    const added = await conflictOf(() => addEmail(db, deploymentId, TEST_CONTEXT, other.id, { email: taken }));
    expect(added.code).toBe("email_taken");
    expect(added.details).toEqual({ email: expect.any(String) });
    const free = await addEmail(db, deploymentId, TEST_CONTEXT, other.id, { email: uniqueEmail("free") });
    const changed = await conflictOf(() => updateEmail(db, deploymentId, TEST_CONTEXT, other.id, free.id, { email: taken }));
    expect(changed.code).toBe("email_taken");
    // A user re-adding its own address in another case is a conflict too: one row per address.
    expect((await conflictOf(() => addEmail(db, deploymentId, TEST_CONTEXT, owner.id, { email: taken }))).code).toBe("email_taken");
    expect((await listEmails(db, deploymentId, other.id)).map((email) => email.email).sort()).toEqual([other.primaryEmailAddress, free.email].sort());
  });

  it("folds usernames' case on create and update", async () => {
    const username = uniqueUsername("Case");
    const user = await newUser({ username });
    expect(user.username).toBe(username);
    const created = await conflictOf(() => newUser({ firstName: "UsernameLoser", username: username.toLowerCase() }));
    expect(created.code).toBe("username_taken");
    expect(created.details).toEqual({ username: expect.any(String) });
    expect(await usersNamed("UsernameLoser")).toBe(0);

    const other = await newUser();
    const updated = await conflictOf(() => updateUser(db, deploymentId, TEST_CONTEXT, other.id, { username: username.toUpperCase() }));
    expect(updated.code).toBe("username_taken");
    // Many users may have no username at all.
    await newUser();
    await newUser();
  });

  it("decides phone uniqueness on E.164, whatever the spelling", async () => {
    const phone = uniquePhone();
    const national = phone.slice(2);
    const user = await newUser({ phoneNumber: `+1 (${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}` });
    expect(user.primaryPhoneNumber).toBe(phone);
    const created = await conflictOf(() => newUser({ phoneNumber: phone }));
    expect(created.code).toBe("phone_number_taken");
    expect(created.details).toEqual({ phone_number: expect.any(String) });

    const other = await newUser();
    expect((await conflictOf(() => addPhone(db, deploymentId, TEST_CONTEXT, other.id, { phoneNumber: national, countryCode: "US" }))).code).toBe(
      "phone_number_taken",
    );
    expect((await conflictOf(() => addPhone(db, deploymentId, TEST_CONTEXT, other.id, { phoneNumber: national, countryCode: "+1" }))).code).toBe(
      "phone_number_taken",
    );
    const own = await addPhone(db, deploymentId, TEST_CONTEXT, other.id, { phoneNumber: uniquePhone() });
    expect((await conflictOf(() => updatePhone(db, deploymentId, TEST_CONTEXT, other.id, own.id, { phoneNumber: phone }))).code).toBe("phone_number_taken");
  });

  it("links one provider account to one user only", async () => {
    const first = await newUser();
    const second = await newUser();
    const providerUserId = `gh-${generateId("sca")}`;
    await linkSocialConnection(db, deploymentId, TEST_CONTEXT, first.id, { provider: "github", providerUserId });
    // "github" and "github_oauth" name the same provider.
    const error = await conflictOf(() => linkSocialConnection(db, deploymentId, TEST_CONTEXT, second.id, { provider: "github_oauth", providerUserId }));
    expect(error.code).toBe("social_connection_taken");
    // Another provider may use the same account id.
    await linkSocialConnection(db, deploymentId, TEST_CONTEXT, second.id, { provider: "google", providerUserId });
  });

  it("reports a violated index in a form the conflict table can read, on this engine", async () => {
    const user = await newUser();
    const [existing] = await listEmails(db, deploymentId, user.id);
    const now = Date.now();
    const duplicate = {
      id: generateId("eml"),
      userId: user.id,
      email: existing!.email.toUpperCase(),
      normalized: existing!.email.toLowerCase(),
      isPrimary: false,
      verified: false,
      verificationStrategy: "otp",
      nowMs: now,
    };
    const error = await insertEmail(db, deploymentId, duplicate).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(uniqueViolationOf(error)).toContain("email_normalized");
    // A second primary for one user is refused by the partial unique index.
    const secondPrimary = await insertEmail(db, deploymentId, {
      ...duplicate,
      id: generateId("eml"),
      email: uniqueEmail(),
      normalized: uniqueEmail(),
      isPrimary: true,
      verified: true,
    }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(uniqueViolationOf(secondPrimary)).not.toBeNull();
    expect(uniqueViolationOf(new Error("something else"))).toBeNull();
  });
});
