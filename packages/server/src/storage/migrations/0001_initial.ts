import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

// Frozen: never edit a migration that has shipped; add the next one instead.
// One SQL text for both dialects, with the few type names that differ filled in.

export async function up(db: Kysely<any>): Promise<void> {
  const isPostgres = dialectOf(db) === "postgres";
  const types = isPostgres
    ? { bool: "BOOLEAN", time: "BIGINT", bytes: "BYTEA", false: "FALSE", userKey: "id TEXT PRIMARY KEY" }
    : // The integer primary key gives the FTS index a stable rowid (a plain rowid may change on VACUUM).
      { bool: "INTEGER", time: "INTEGER", bytes: "BLOB", false: "0", userKey: "seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE" };

  const statements = [
    `CREATE TABLE deployments (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      is_default ${types.bool} NOT NULL DEFAULT ${types.false},
      created_at ${types.time} NOT NULL
    )`,
    // At most one default deployment, even when several instances start at once.
    `CREATE UNIQUE INDEX deployments_one_default ON deployments (is_default) WHERE is_default`,
    `CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      lookup_hash TEXT NOT NULL,
      secret_hash TEXT NOT NULL UNIQUE,
      display_prefix TEXT NOT NULL,
      created_at ${types.time} NOT NULL,
      last_used_at ${types.time},
      revoked_at ${types.time}
    )`,
    `CREATE INDEX api_keys_lookup_hash ON api_keys (lookup_hash)`,
    `CREATE INDEX api_keys_deployment ON api_keys (deployment_id, created_at)`,
    `CREATE TABLE users (
      ${types.userKey},
      deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      first_name TEXT NOT NULL,
      last_name TEXT NOT NULL,
      username TEXT,
      username_normalized TEXT,
      password_hash TEXT,
      last_password_reset_at ${types.time},
      disabled ${types.bool} NOT NULL DEFAULT ${types.false},
      second_factor_policy TEXT NOT NULL DEFAULT 'none',
      public_metadata TEXT NOT NULL DEFAULT '{}',
      private_metadata TEXT NOT NULL DEFAULT '{}',
      primary_email_address_id TEXT,
      primary_email_address TEXT,
      primary_phone_number_id TEXT,
      primary_phone_number TEXT,
      search_text TEXT NOT NULL DEFAULT '',
      profile_image_id TEXT,
      created_at ${types.time} NOT NULL,
      updated_at ${types.time} NOT NULL
    )`,
    `CREATE UNIQUE INDEX users_username_normalized_unique ON users (deployment_id, username_normalized)`,
    `CREATE INDEX users_by_created ON users (deployment_id, created_at, id)`,
    `CREATE INDEX users_by_username ON users (deployment_id, username_normalized, id)`,
    // Emails sort case-insensitively, as they compare.
    `CREATE INDEX users_by_email ON users (deployment_id, lower(primary_email_address), id)`,
    `CREATE INDEX users_by_phone ON users (deployment_id, primary_phone_number, id)`,
    `CREATE TABLE user_emails (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      email TEXT NOT NULL,
      email_normalized TEXT NOT NULL,
      is_primary ${types.bool} NOT NULL DEFAULT ${types.false},
      verified ${types.bool} NOT NULL DEFAULT ${types.false},
      verified_at ${types.time},
      verification_strategy TEXT NOT NULL,
      created_at ${types.time} NOT NULL,
      updated_at ${types.time} NOT NULL
    )`,
    `CREATE UNIQUE INDEX user_emails_email_normalized_unique ON user_emails (deployment_id, email_normalized)`,
    `CREATE UNIQUE INDEX user_emails_one_primary ON user_emails (user_id) WHERE is_primary`,
    `CREATE INDEX user_emails_by_user ON user_emails (user_id, created_at)`,
    `CREATE TABLE user_phones (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      phone_number TEXT NOT NULL,
      country_code TEXT NOT NULL,
      is_primary ${types.bool} NOT NULL DEFAULT ${types.false},
      verified ${types.bool} NOT NULL DEFAULT ${types.false},
      verified_at ${types.time},
      created_at ${types.time} NOT NULL,
      updated_at ${types.time} NOT NULL
    )`,
    `CREATE UNIQUE INDEX user_phones_phone_number_unique ON user_phones (deployment_id, phone_number)`,
    `CREATE UNIQUE INDEX user_phones_one_primary ON user_phones (user_id) WHERE is_primary`,
    `CREATE INDEX user_phones_by_user ON user_phones (user_id, created_at)`,
    `CREATE TABLE social_connections (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      user_email_address_id TEXT,
      provider TEXT NOT NULL,
      provider_user_id TEXT NOT NULL,
      email_address TEXT,
      created_at ${types.time} NOT NULL,
      updated_at ${types.time} NOT NULL
    )`,
    `CREATE UNIQUE INDEX social_connections_provider_user_unique ON social_connections (deployment_id, provider, provider_user_id)`,
    `CREATE INDEX social_connections_by_user ON social_connections (user_id, created_at)`,
    `CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      secret_hash TEXT NOT NULL,
      created_at ${types.time} NOT NULL,
      updated_at ${types.time} NOT NULL,
      last_active_at ${types.time} NOT NULL,
      expires_at ${types.time} NOT NULL,
      revoked_at ${types.time},
      ip_address TEXT,
      user_agent TEXT,
      browser TEXT,
      device TEXT
    )`,
    `CREATE INDEX sessions_by_user ON sessions (user_id, created_at)`,
    `CREATE TABLE profile_images (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      content_type TEXT NOT NULL,
      bytes ${types.bytes} NOT NULL,
      created_at ${types.time} NOT NULL
    )`,
    `CREATE INDEX profile_images_by_user ON profile_images (user_id)`,
    ...(isPostgres ? postgresSearchIndex : sqliteSearchIndex),
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// Substring search must not scan every user: pg_trgm's GIN index answers LIKE '%…%' directly.
const postgresSearchIndex = [`CREATE EXTENSION IF NOT EXISTS pg_trgm`, `CREATE INDEX users_search_trgm ON users USING gin (search_text gin_trgm_ops)`];

// On SQLite an FTS5 trigram index over users.search_text, kept in step by triggers, so it is
// written in the same transaction as the user and can never drift from it.
const sqliteSearchIndex = [
  `CREATE VIRTUAL TABLE users_search USING fts5(search_text, content='users', content_rowid='seq', tokenize='trigram')`,
  `CREATE TRIGGER users_search_after_insert AFTER INSERT ON users BEGIN
     INSERT INTO users_search (rowid, search_text) VALUES (new.seq, new.search_text);
   END`,
  `CREATE TRIGGER users_search_after_delete AFTER DELETE ON users BEGIN
     INSERT INTO users_search (users_search, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
   END`,
  `CREATE TRIGGER users_search_after_update AFTER UPDATE OF search_text ON users BEGIN
     INSERT INTO users_search (users_search, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
     INSERT INTO users_search (rowid, search_text) VALUES (new.seq, new.search_text);
   END`,
];
