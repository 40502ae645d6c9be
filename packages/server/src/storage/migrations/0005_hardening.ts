import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

// Frozen once shipped. Hardening (issue 9): the URL a server last announced for the default
// deployment, and sign-in failures counted per account and client address.
export async function up(db: Kysely<any>): Promise<void> {
  const time = dialectOf(db) === "postgres" ? "BIGINT" : "INTEGER";
  const statements = [
    // What `wacht serve` printed as the default deployment's frontend API URL (when none is
    // configured), so `wacht deployments list` prints the same publishable key.
    `ALTER TABLE deployments ADD COLUMN last_listening_url TEXT`,
    // One row per failed sign-in: the account (a user id, or "idf:" + a hash of an identifier no
    // user has, so unknown identifiers are counted exactly like known ones) and the client address
    // (IPv4, or an IPv6 /64). Counting per pair locks a guessing address out of one account without
    // locking the account's owner out.
    `CREATE TABLE sign_in_attempt_failures (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      account_key TEXT NOT NULL,
      address_key TEXT NOT NULL,
      failed_at ${time} NOT NULL
    )`,
    `CREATE INDEX sign_in_attempt_failures_by_pair ON sign_in_attempt_failures (deployment_id, account_key, address_key, failed_at)`,
    `CREATE INDEX sign_in_attempt_failures_by_account ON sign_in_attempt_failures (deployment_id, account_key, failed_at)`,
    // Replaced by the table above: failures counted per user alone let a stranger lock anyone out.
    `DROP TABLE sign_in_failures`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
