import { sql, type Kysely } from "kysely";

// Frozen. A pending sign-in (waiting for its second factor) may follow a social sign-in as well
// as a password: first_factor is how the first step proved the user ('password' or
// 'oauth_<provider>', the session's sign-in method), and social_connection_id the connection a
// provider sign-in went through — unlinking it meanwhile ends the pending sign-in. For those,
// password_hash_digest is '' (there was no password to notice a change of).
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    `ALTER TABLE pending_sign_ins ADD COLUMN first_factor TEXT NOT NULL DEFAULT 'password'`,
    `ALTER TABLE pending_sign_ins ADD COLUMN social_connection_id TEXT REFERENCES social_connections (id) ON DELETE CASCADE`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
