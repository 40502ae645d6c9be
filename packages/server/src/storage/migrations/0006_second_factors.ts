import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

// Frozen: never edit a migration that has shipped; add the next one instead.
// Second factors: TOTP authenticators, backup codes, passkeys and their WebAuthn challenges,
// sign-ins waiting for a second factor, and how each session was signed in.

export async function up(db: Kysely<any>): Promise<void> {
  const isPostgres = dialectOf(db) === "postgres";
  const time = isPostgres ? "BIGINT" : "INTEGER";
  const bool = isPostgres ? "BOOLEAN" : "INTEGER";

  const statements = [
    // The secret is sealed with the server's encryption key (context "totp_secret:<id>").
    // last_used_step is the newest 30 s step a code was accepted for: a code is accepted only by
    // an UPDATE that moves it forward, so no code works twice, whichever instance checks it.
    `CREATE TABLE totp_authenticators (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      secret_sealed TEXT NOT NULL,
      account_name TEXT NOT NULL,
      last_used_step ${time} NOT NULL,
      created_at ${time} NOT NULL,
      updated_at ${time} NOT NULL
    )`,
    // One active authenticator per user, even when two enrolments race.
    `CREATE UNIQUE INDEX totp_authenticators_user_id_unique ON totp_authenticators (user_id)`,
    // Only argon2id hashes; a used code is deleted.
    `CREATE TABLE backup_codes (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      code_hash TEXT NOT NULL,
      created_at ${time} NOT NULL
    )`,
    `CREATE INDEX backup_codes_by_user ON backup_codes (user_id)`,
    `CREATE TABLE passkeys (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      credential_id TEXT NOT NULL,
      public_key TEXT NOT NULL,
      aaguid TEXT NOT NULL,
      name TEXT NOT NULL,
      sign_count ${time} NOT NULL,
      transports TEXT NOT NULL,
      device_type TEXT NOT NULL,
      backed_up ${bool} NOT NULL,
      last_used_at ${time},
      created_at ${time} NOT NULL,
      updated_at ${time} NOT NULL
    )`,
    `CREATE UNIQUE INDEX passkeys_credential_id_unique ON passkeys (deployment_id, credential_id)`,
    `CREATE INDEX passkeys_by_user ON passkeys (user_id, created_at)`,
    // A challenge is consumed by the DELETE that finds it, so it works once.
    `CREATE TABLE webauthn_challenges (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
      purpose TEXT NOT NULL,
      challenge TEXT NOT NULL,
      expires_at ${time} NOT NULL,
      created_at ${time} NOT NULL
    )`,
    `CREATE UNIQUE INDEX webauthn_challenges_challenge_unique ON webauthn_challenges (deployment_id, challenge)`,
    `CREATE INDEX webauthn_challenges_by_expiry ON webauthn_challenges (expires_at)`,
    // A password sign-in waiting for its second factor. Only the SHA-256 of its id is stored: the
    // id is the secret that lets the client finish the sign-in. password_hash_digest is the
    // SHA-256 of the password hash that was verified, so a password changed meanwhile ends it.
    `CREATE TABLE pending_sign_ins (
      id_hash TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      password_hash_digest TEXT NOT NULL,
      expires_at ${time} NOT NULL,
      created_at ${time} NOT NULL
    )`,
    `CREATE INDEX pending_sign_ins_by_user ON pending_sign_ins (user_id, expires_at)`,
    `ALTER TABLE sessions ADD COLUMN sign_in_method TEXT NOT NULL DEFAULT 'password'`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
