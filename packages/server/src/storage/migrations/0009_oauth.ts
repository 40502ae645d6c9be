import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

// Frozen: never edit a migration that has shipped; add the next one instead.
// Social sign-in: each deployment's OAuth / OpenID Connect providers and settings, the state of
// sign-ins in flight, and the provider tokens of the connections those sign-ins made.

export async function up(db: Kysely<any>): Promise<void> {
  const isPostgres = dialectOf(db) === "postgres";
  const time = isPostgres ? "BIGINT" : "INTEGER";
  const bool = isPostgres ? "BOOLEAN" : "INTEGER";

  const statements = [
    // client_secret_sealed is sealed with the server's encryption key (crypto/secret-box.ts).
    `CREATE TABLE oauth_providers (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      provider TEXT NOT NULL,
      client_id TEXT NOT NULL,
      client_secret_sealed TEXT NOT NULL,
      issuer TEXT,
      scopes TEXT NOT NULL,
      enabled ${bool} NOT NULL,
      created_at ${time} NOT NULL,
      updated_at ${time} NOT NULL
    )`,
    `CREATE UNIQUE INDEX oauth_providers_deployment_provider_unique ON oauth_providers (deployment_id, provider)`,
    // One row per deployment once an admin changes a setting; no row means the defaults.
    `CREATE TABLE oauth_settings (
      deployment_id TEXT PRIMARY KEY REFERENCES deployments (id) ON DELETE CASCADE,
      redirect_urls TEXT NOT NULL,
      allow_sign_up ${bool} NOT NULL,
      updated_at ${time} NOT NULL
    )`,
    // A sign-in in flight: looked up by the hash of its state, used once, bound to the browser
    // that started it by the hash of a cookie. The PKCE verifier is sealed.
    `CREATE TABLE oauth_states (
      state_hash TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      provider TEXT NOT NULL,
      browser_binding_hash TEXT NOT NULL,
      code_verifier_sealed TEXT NOT NULL,
      nonce TEXT,
      redirect_url TEXT NOT NULL,
      intent TEXT NOT NULL,
      link_user_id TEXT,
      created_at ${time} NOT NULL,
      expires_at ${time} NOT NULL,
      used_at ${time}
    )`,
    `CREATE INDEX oauth_states_by_expiry ON oauth_states (deployment_id, expires_at)`,
    // The provider's tokens for a connection a sign-in made, sealed; they go with the connection.
    `CREATE TABLE oauth_tokens (
      connection_id TEXT PRIMARY KEY REFERENCES social_connections (id) ON DELETE CASCADE,
      deployment_id TEXT NOT NULL,
      access_token_sealed TEXT NOT NULL,
      refresh_token_sealed TEXT,
      token_type TEXT NOT NULL,
      scopes TEXT NOT NULL,
      expires_at ${time},
      updated_at ${time} NOT NULL
    )`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
