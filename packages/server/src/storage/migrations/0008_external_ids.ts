import { sql, type Kysely } from "kysely";

// Frozen. The id a user had elsewhere (another provider, or the app's own database): unique per
// deployment, so a re-run of an import finds the users it already brought in. NULLs never
// collide in a unique index on either engine, so users without one are unconstrained.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [`ALTER TABLE users ADD COLUMN external_id TEXT`, `CREATE UNIQUE INDEX users_external_id_unique ON users (deployment_id, external_id)`];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
