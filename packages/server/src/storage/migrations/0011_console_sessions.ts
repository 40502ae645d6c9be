import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

// Frozen. Sessions of the admin console: each belongs to the API key it was opened with, so
// revoking the key ends it; one-time sign-in links (`wacht console-link`) are redeemed into one.
export async function up(db: Kysely<any>): Promise<void> {
  const time = dialectOf(db) === "postgres" ? "BIGINT" : "INTEGER";
  const statements = [
    `CREATE TABLE console_sessions (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      api_key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
      secret_hash TEXT NOT NULL,
      created_at ${time} NOT NULL,
      last_active_at ${time} NOT NULL,
      expires_at ${time} NOT NULL,
      revoked_at ${time}
    )`,
    `CREATE INDEX console_sessions_by_key ON console_sessions (api_key_id)`,
    `CREATE TABLE console_login_tokens (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      api_key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
      secret_hash TEXT NOT NULL,
      created_at ${time} NOT NULL,
      expires_at ${time} NOT NULL,
      used_at ${time}
    )`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
