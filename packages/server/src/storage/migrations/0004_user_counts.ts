import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

// Frozen. The number of users of each deployment, kept by triggers in the same transaction as
// every insert and delete of a user, so an unfiltered list's `total` is one row read instead of a
// COUNT(*) over every user (67 ms at a million users; bench/README.md).
export async function up(db: Kysely<any>): Promise<void> {
  const isPostgres = dialectOf(db) === "postgres";
  const statements = [
    `CREATE TABLE deployment_user_counts (
      deployment_id TEXT PRIMARY KEY REFERENCES deployments (id) ON DELETE CASCADE,
      user_count BIGINT NOT NULL
    )`,
    `INSERT INTO deployment_user_counts (deployment_id, user_count)
      SELECT deployment_id, COUNT(*) FROM users GROUP BY deployment_id`,
    ...(isPostgres ? postgresTriggers : sqliteTriggers),
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const increment = (row: string) => `INSERT INTO deployment_user_counts (deployment_id, user_count) VALUES (${row}.deployment_id, 1)
  ON CONFLICT (deployment_id) DO UPDATE SET user_count = deployment_user_counts.user_count + 1`;
const decrement = (row: string) => `UPDATE deployment_user_counts SET user_count = user_count - 1 WHERE deployment_id = ${row}.deployment_id`;

const sqliteTriggers = [
  `CREATE TRIGGER users_count_after_insert AFTER INSERT ON users BEGIN ${increment("new")}; END`,
  `CREATE TRIGGER users_count_after_delete AFTER DELETE ON users BEGIN ${decrement("old")}; END`,
];

const postgresTriggers = [
  `CREATE FUNCTION wacht_count_users() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'INSERT' THEN
       ${increment("NEW")};
       RETURN NEW;
     END IF;
     ${decrement("OLD")};
     RETURN OLD;
   END $$`,
  `CREATE TRIGGER users_count AFTER INSERT OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION wacht_count_users()`,
];
