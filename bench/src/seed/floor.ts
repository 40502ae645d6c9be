import Database from "better-sqlite3";
import { createDb, findUser, toUserDetailsJson, toUserEmail, toUserJson, type User, type UserEmail } from "../server-dist.js";
import type { WachtSeed } from "./wacht.js";

/**
 * The floor's database: one table holding each user's answers ready to send (the list item and the
 * details document, byte for byte what our server answers for the same user), an index per lookup,
 * and the same FTS5 trigram index our SQLite schema keeps for search.
 */
export const FLOOR_SCHEMA = [
  `CREATE TABLE users (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    email_normalized TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    search_text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    item_json TEXT NOT NULL,
    details_json TEXT NOT NULL
  )`,
  `CREATE INDEX users_by_created ON users (created_at, id)`,
  `CREATE VIRTUAL TABLE users_search USING fts5(search_text, content='users', content_rowid='seq', tokenize='trigram')`,
  `CREATE TRIGGER users_search_after_insert AFTER INSERT ON users BEGIN
     INSERT INTO users_search (rowid, search_text) VALUES (new.seq, new.search_text);
   END`,
];

const USERS_PER_BATCH = 1000;

/**
 * Copies the seeded users from our database into the floor's, with their answers rendered by the
 * server's own storage mappers and JSON functions, so both targets send the same bytes.
 */
export async function seedFloor(path: string, wachtDatabaseUrl: string, wacht: WachtSeed): Promise<{ seconds: number }> {
  const startedAt = performance.now();
  const source = createDb(wachtDatabaseUrl);
  const database = new Database(path);
  try {
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    for (const statement of FLOOR_SCHEMA) database.exec(statement);
    const insert = database.prepare(
      `INSERT INTO users (id, email_normalized, password_hash, search_text, created_at, item_json, details_json) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertBatch = database.transaction((rows: unknown[][]) => {
      for (const row of rows) insert.run(row);
    });
    const context = { publicUrl: "http://127.0.0.1" };
    for (let first = 0; first < wacht.userIds.length; first += USERS_PER_BATCH) {
      const userIds = wacht.userIds.slice(first, first + USERS_PER_BATCH);
      // Whole users (a list item carries only what a list shows), each by the server's own read.
      const users = (await Promise.all(userIds.map((userId) => findUser(source.db, wacht.deploymentId, userId)))).filter((user): user is User => user !== null);
      const emailRows = await source.db.selectFrom("user_emails").selectAll().where("user_id", "in", userIds).execute();
      const emailsByUser = new Map<string, UserEmail[]>();
      for (const email of emailRows.map(toUserEmail)) emailsByUser.set(email.userId, [...(emailsByUser.get(email.userId) ?? []), email]);
      const searchRows = await source.db.selectFrom("users").select(["id", "search_text"]).where("id", "in", userIds).execute();
      const searchTextById = new Map(searchRows.map((row) => [row.id, row.search_text]));
      insertBatch(
        users.map((user: User) => {
          const emails = emailsByUser.get(user.id) ?? [];
          // Seeded users have no second factor, as createUser leaves them.
          const secondFactors = { totpEnabled: false, hasBackupCodes: false, passkeysCount: 0 };
          const details = toUserDetailsJson({ user, emails, phones: [], socialConnections: [], secondFactors }, context);
          return [
            user.id,
            user.primaryEmailAddress!.toLowerCase(),
            wacht.passwordHash,
            searchTextById.get(user.id)!,
            user.createdAt,
            JSON.stringify(toUserJson({ ...user, twoFactorEnabled: false }, context)),
            JSON.stringify(details),
          ];
        }),
      );
    }
  } finally {
    database.close();
    await source.close();
  }
  return { seconds: (performance.now() - startedAt) / 1000 };
}
