import { beforeAll, describe, expect, it } from "vitest";
import { ensureDefaultDeployment } from "../../src/deployments/deployments.service.js";
import { mergeIsDue, type UpkeepState } from "../../src/storage/search-index-upkeep.js";
import type { Db } from "../../src/storage/db.js";
import { createUser, getUserDetails, updateUser, type UserChangeContext, type UserDetails } from "../../src/user-accounts/user-accounts.service.js";
import { getUser, refreshUserDerivedColumns } from "../../src/users/users.service.js";
import { uniqueEmail, uniquePhone, uniqueUsername } from "../helpers/api.js";
import { TEST_CONTEXT } from "../helpers/change-context.js";
import { DIALECTS } from "../helpers/dialects.js";
import { useTestDb } from "../helpers/use-server.js";

/**
 * A create builds the user's details from the rows it wrote instead of reading them back, and an
 * update of metadata or flags leaves the derived columns alone: both must equal what a read, and
 * refreshUserDerivedColumns, give.
 */
describe.each(DIALECTS)("the user write path on %s", (dialect) => {
  const database = useTestDb(dialect);
  let db: Db;
  let deploymentId: string;

  beforeAll(async () => {
    db = database.db;
    deploymentId = (await ensureDefaultDeployment(db)).id;
  });

  /** TEST_CONTEXT, keeping the details the service hands to its event. */
  function capturingContext(): UserChangeContext & { described: UserDetails[] } {
    const described: UserDetails[] = [];
    return {
      ...TEST_CONTEXT,
      described,
      describeDetails: (details) => {
        described.push(details);
        return TEST_CONTEXT.describeDetails(details);
      },
    };
  }

  const derivedColumns = (userId: string) =>
    db
      .selectFrom("users")
      .select(["primary_email_address_id", "primary_email_address", "primary_phone_number_id", "primary_phone_number", "search_text"])
      .where("deployment_id", "=", deploymentId)
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();

  /** The derived columns refreshUserDerivedColumns computes from the stored rows (in a transaction rolled back). */
  async function refreshedColumns(userId: string) {
    let refreshed: Awaited<ReturnType<typeof derivedColumns>> | undefined;
    const rollback = new Error("rollback");
    await db
      .transaction()
      .execute(async (trx) => {
        await refreshUserDerivedColumns(trx, deploymentId, userId, Date.now());
        refreshed = await trx
          .selectFrom("users")
          .select(["primary_email_address_id", "primary_email_address", "primary_phone_number_id", "primary_phone_number", "search_text"])
          .where("deployment_id", "=", deploymentId)
          .where("id", "=", userId)
          .executeTakeFirstOrThrow();
        throw rollback;
      })
      .catch((error) => {
        if (error !== rollback) throw error;
      });
    return refreshed!;
  }

  it.each([
    ["an email only", () => ({ emailAddress: uniqueEmail("written"), skipPasswordCheck: true })],
    [
      "every field",
      () => ({
        firstName: "Ünal",
        lastName: "O'Brien",
        emailAddress: uniqueEmail("Written.Mixed"),
        phoneNumber: uniquePhone(),
        username: uniqueUsername(),
        password: "a long enough password for the policy",
        externalId: `ext-${Date.now()}-${Math.random()}`,
        publicMetadata: { plan: "pro", nested: { list: [1, "two", null] } },
        privateMetadata: { note: "ü" },
      }),
    ],
    ["a phone only", () => ({ phoneNumber: uniquePhone(), skipPasswordCheck: true })],
  ])("a create answers and sends, for %s, exactly what a read of the user gives", async (_, input) => {
    const context = capturingContext();
    const created = await createUser(db, deploymentId, context, input());
    expect(created).toEqual(await getUser(db, deploymentId, created.id));
    expect(context.described).toHaveLength(1);
    expect(context.described[0]).toEqual(await getUserDetails(db, deploymentId, created.id));
    expect(await derivedColumns(created.id)).toEqual(await refreshedColumns(created.id));
  });

  it("an update of metadata and flags keeps the derived columns as a refresh computes them, and answers what a read gives", async () => {
    const created = await createUser(db, deploymentId, TEST_CONTEXT, {
      firstName: "Mia",
      lastName: "Berg",
      emailAddress: uniqueEmail("meta"),
      phoneNumber: uniquePhone(),
      username: uniqueUsername(),
      skipPasswordCheck: true,
    });
    const before = await derivedColumns(created.id);
    const context = capturingContext();
    const answered = await updateUser(db, deploymentId, context, created.id, {
      publicMetadata: { plan: "team" },
      privateMetadata: { seats: 3 },
      disabled: true,
      secondFactorPolicy: "optional",
      externalId: `ext-meta-${Date.now()}`,
    });
    expect(await derivedColumns(created.id)).toEqual(before);
    expect(await derivedColumns(created.id)).toEqual(await refreshedColumns(created.id));
    const read = await getUserDetails(db, deploymentId, created.id);
    expect(answered).toEqual(read);
    expect(context.described).toEqual([read]);
    expect(read.user.publicMetadata).toEqual({ plan: "team" });
  });

  it("an update of names refreshes the derived columns", async () => {
    const created = await createUser(db, deploymentId, TEST_CONTEXT, { firstName: "Old", emailAddress: uniqueEmail("rename"), skipPasswordCheck: true });
    const context = capturingContext();
    const answered = await updateUser(db, deploymentId, context, created.id, { firstName: "Neu", username: uniqueUsername() });
    const columns = await derivedColumns(created.id);
    expect(columns).toEqual(await refreshedColumns(created.id));
    expect(columns.search_text).toContain("neu");
    expect(columns.search_text).not.toContain("old");
    expect(answered).toEqual(await getUserDetails(db, deploymentId, created.id));
  });
});

describe("when the search index upkeep merges (SQLite write marks)", () => {
  const fresh = (): UpkeepState => ({ mergedAt: null, seenAt: null, unmergedSince: null });

  it("merges on the second tick after a start when nothing more was written, then not until something is", () => {
    const state = fresh();
    expect(mergeIsDue(state, 0, 10_000)).toBe(false);
    expect(mergeIsDue(state, 0, 20_000)).toBe(true);
    Object.assign(state, { mergedAt: 0, seenAt: 0, unmergedSince: null });
    expect(mergeIsDue(state, 0, 30_000)).toBe(false);
  });

  it("waits while writes keep coming, merges on the first quiet tick", () => {
    const state: UpkeepState = { mergedAt: 100, seenAt: 100, unmergedSince: null };
    expect(mergeIsDue(state, 150, 10_000)).toBe(false);
    expect(mergeIsDue(state, 220, 20_000)).toBe(false);
    expect(mergeIsDue(state, 220, 30_000)).toBe(true);
  });

  it("merges anyway once writes have gone unmerged for a minute", () => {
    const state: UpkeepState = { mergedAt: 100, seenAt: 100, unmergedSince: null };
    let mark = 100;
    const due: boolean[] = [];
    for (let tick = 1; tick <= 7; tick++) due.push(mergeIsDue(state, (mark += 50), tick * 10_000));
    expect(due).toEqual([false, false, false, false, false, false, true]);
  });
});
