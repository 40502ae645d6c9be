import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

// Frozen: never edit a migration that has shipped; add the next one instead.
// Sign-in: frontend API URLs of deployments, session-token signing keys, lockout state.

export async function up(db: Kysely<any>): Promise<void> {
  const time = dialectOf(db) === "postgres" ? "BIGINT" : "INTEGER";

  const statements = [
    // The URL a deployment's frontend API answers on; requests pick their deployment by its host.
    // The default deployment may leave it empty: it then answers on the server's own URL.
    `ALTER TABLE deployments ADD COLUMN frontend_api_url TEXT`,
    `ALTER TABLE deployments ADD COLUMN frontend_api_host TEXT`,
    `CREATE UNIQUE INDEX deployments_frontend_api_host_unique ON deployments (frontend_api_host)`,
    `ALTER TABLE users ADD COLUMN last_sign_in_at ${time}`,
    `ALTER TABLE users ADD COLUMN locked_until ${time}`,
    // One row per wrong password, so "N failures within the window" is an exact sliding count.
    `CREATE TABLE sign_in_failures (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      failed_at ${time} NOT NULL
    )`,
    `CREATE INDEX sign_in_failures_by_user ON sign_in_failures (user_id, failed_at)`,
    `CREATE TABLE signing_keys (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      algorithm TEXT NOT NULL,
      public_jwk TEXT NOT NULL,
      private_jwk TEXT NOT NULL,
      created_at ${time} NOT NULL,
      retired_at ${time}
    )`,
    // Exactly one key signs at a time, even when several instances make the first one at once.
    `CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (deployment_id) WHERE retired_at IS NULL`,
    `CREATE INDEX signing_keys_by_deployment ON signing_keys (deployment_id, created_at)`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
