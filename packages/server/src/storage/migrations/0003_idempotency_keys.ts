import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

// Frozen. Stored answers to POST/PATCH requests sent with an Idempotency-Key header.
export async function up(db: Kysely<any>): Promise<void> {
  const time = dialectOf(db) === "postgres" ? "BIGINT" : "INTEGER";
  await sql
    .raw(
      `CREATE TABLE idempotency_keys (
        deployment_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        request_fingerprint TEXT NOT NULL,
        response_status INTEGER,
        response_body TEXT,
        created_at ${time} NOT NULL,
        PRIMARY KEY (deployment_id, idempotency_key)
      )`,
    )
    .execute(db);
  await sql.raw(`CREATE INDEX idempotency_keys_by_created ON idempotency_keys (created_at)`).execute(db);
}
