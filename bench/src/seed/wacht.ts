import { isDeepStrictEqual } from "node:util";
import {
  createDb,
  deriveUserColumns,
  ensureDefaultDeployment,
  generateId,
  hashPassword,
  mergeSearchIndex,
  migrateToLatest,
  refreshUserDerivedColumns,
  type Db,
  type UserEmailRow,
  type UserRow,
} from "../server-dist.js";
import { createdAtOf, personAt } from "./people.js";

export interface WachtSeed {
  deploymentId: string;
  /** Ids in seeding order: index i is personAt(i). */
  userIds: string[];
  /** createdAtOf(i, userCount, endMs) is user i's creation time. */
  endMs: number;
  passwordHash: string;
  seconds: number;
  usersPerSecond: number;
}

// Rows per INSERT statement (20 columns each: under SQLite's 32,766 and Postgres' 65,535 parameters)
// and rows per transaction (big transactions are what makes bulk loading fast on both engines).
const ROWS_PER_STATEMENT = 1000;
const ROWS_PER_TRANSACTION = 20_000;

// Every seeded user shares one real hash of this password: the rows have the size and shape of
// real ones, without spending hours of argon2 on a million users.
export const SEEDED_USER_PASSWORD = "seeded user password, not a real one";

/**
 * Migrates a fresh database with the server's own migrations and fills it with `userCount` users
 * written exactly as `createUser` writes them: a users row, one verified primary email, and the
 * derived columns (primary_*, search_text) `refreshUserDerivedColumns` would compute. On SQLite the
 * FTS index follows through the migration's triggers, as it does for every real write.
 */
export async function seedWacht(databaseUrl: string, userCount: number, say: (line: string) => void): Promise<WachtSeed> {
  const handle = createDb(databaseUrl);
  try {
    await migrateToLatest(handle.db);
    const deployment = await ensureDefaultDeployment(handle.db);
    const passwordHash = await hashPassword(SEEDED_USER_PASSWORD);
    const endMs = Date.now();
    const userIds: string[] = new Array(userCount);
    const startedAt = performance.now();
    for (let first = 0; first < userCount; first += ROWS_PER_TRANSACTION) {
      const last = Math.min(userCount, first + ROWS_PER_TRANSACTION);
      await handle.db.transaction().execute(async (trx) => {
        for (let start = first; start < last; start += ROWS_PER_STATEMENT) {
          const users: UserRow[] = [];
          const emails: UserEmailRow[] = [];
          for (let index = start; index < Math.min(last, start + ROWS_PER_STATEMENT); index++) {
            const createdAt = createdAtOf(index, userCount, endMs);
            const ids = { userId: generateId("usr", createdAt), emailId: generateId("eml", createdAt) };
            const { user, email } = seededRowsFor(index, ids, deployment.id, createdAt, passwordHash);
            userIds[index] = user.id;
            users.push(user);
            emails.push(email);
          }
          await trx.insertInto("users").values(users).execute();
          await trx.insertInto("user_emails").values(emails).execute();
        }
      });
      if (userCount >= 200_000 && last % 100_000 === 0) {
        say(`  … ${last.toLocaleString("en-US")} users (${Math.round(last / ((performance.now() - startedAt) / 1000)).toLocaleString("en-US")}/s)`);
      }
    }
    const seconds = (performance.now() - startedAt) / 1000;
    // What the server's background upkeep does after bulk writes (storage/search-index-upkeep.ts),
    // done here so it is finished before any measurement rather than running during the first ones.
    await mergeSearchIndex(handle.db);
    await checkRowsMatchTheServer(handle.db, deployment.id, [userIds[0]!, userIds[Math.floor(userCount / 2)]!, userIds[userCount - 1]!]);
    return { deploymentId: deployment.id, userIds, endMs, passwordHash, seconds, usersPerSecond: userCount / seconds };
  } finally {
    await handle.close();
  }
}

/** The rows `createUser` writes for person `index` (given a name, username, email and password). */
function seededRowsFor(
  index: number,
  { userId, emailId }: { userId: string; emailId: string },
  deploymentId: string,
  createdAt: number,
  passwordHash: string,
): { user: UserRow; email: UserEmailRow } {
  const person = personAt(index);
  const names = { first_name: person.firstName, last_name: person.lastName, username: person.username };
  const user: UserRow = {
    id: userId,
    deployment_id: deploymentId,
    ...names,
    // The server's own derivation of primary_* and search_text, as createUser applies it.
    ...deriveUserColumns(names, [{ id: emailId, email: person.email, isPrimary: true }], []),
    username_normalized: person.username.toLowerCase(),
    password_hash: passwordHash,
    last_password_reset_at: null,
    disabled: false,
    second_factor_policy: "none",
    public_metadata: "{}",
    private_metadata: "{}",
    profile_image_id: null,
    // Never signed in, never locked out.
    last_sign_in_at: null,
    locked_until: null,
    external_id: null,
    created_at: createdAt,
    updated_at: createdAt,
  };
  const email: UserEmailRow = {
    id: emailId,
    deployment_id: deploymentId,
    user_id: userId,
    email: person.email,
    email_normalized: person.email.toLowerCase(),
    is_primary: true,
    verified: true,
    verified_at: createdAt,
    verification_strategy: "otp",
    created_at: createdAt,
    updated_at: createdAt,
  };
  return { user, email };
}

/**
 * Proof that the bulk path wrote what the server would: the server's own refreshUserDerivedColumns
 * recomputes the derived columns of a few seeded users, and nothing may change. Runs in a
 * transaction that is rolled back, so the seeded rows stay as written.
 */
async function checkRowsMatchTheServer(db: Db, deploymentId: string, userIds: string[]): Promise<void> {
  class Rollback extends Error {}
  try {
    await db.transaction().execute(async (trx) => {
      for (const userId of userIds) {
        const before = await trx.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
        await refreshUserDerivedColumns(trx, deploymentId, userId, before.updated_at);
        const after = await trx.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
        if (!isDeepStrictEqual(before, after)) {
          throw new Error(`Seeded user ${userId} differs from what the server computes:\n${JSON.stringify({ before, after }, null, 2)}`);
        }
      }
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
}
