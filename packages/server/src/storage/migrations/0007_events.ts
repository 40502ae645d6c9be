import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

// Frozen. Webhooks (apps, endpoints, subscriptions, the event outbox, deliveries and their
// attempts, replay tasks) and the audit log. Events and audit entries are written in the same
// transaction as the change they describe; the dispatcher reads deliveries from here.
export async function up(db: Kysely<any>): Promise<void> {
  const isPostgres = dialectOf(db) === "postgres";
  const time = isPostgres ? "BIGINT" : "INTEGER";
  const bool = isPostgres ? "BOOLEAN" : "INTEGER";

  const statements = [
    `CREATE TABLE webhook_apps (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      app_slug TEXT NOT NULL,
      name TEXT NOT NULL,
      description TEXT,
      failure_notification_emails TEXT NOT NULL,
      event_catalog_slug TEXT,
      is_active ${bool} NOT NULL,
      signing_secret_sealed TEXT NOT NULL,
      -- The secret before the last rotation keeps signing, next to the new one, until it expires.
      previous_signing_secret_sealed TEXT,
      previous_signing_secret_expires_at ${time},
      created_at ${time} NOT NULL,
      updated_at ${time} NOT NULL
    )`,
    `CREATE UNIQUE INDEX webhook_apps_slug_unique ON webhook_apps (deployment_id, app_slug)`,
    `CREATE TABLE webhook_endpoints (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      app_id TEXT NOT NULL REFERENCES webhook_apps (id) ON DELETE CASCADE,
      url TEXT NOT NULL,
      description TEXT,
      headers TEXT NOT NULL,
      is_active ${bool} NOT NULL,
      max_retries INTEGER NOT NULL,
      timeout_seconds INTEGER NOT NULL,
      rate_limit_config TEXT,
      failure_count INTEGER NOT NULL,
      -- First failure since the last success: the endpoint is disabled once it has failed this long.
      failing_since ${time},
      last_failure_at ${time},
      auto_disabled ${bool} NOT NULL,
      auto_disabled_at ${time},
      created_at ${time} NOT NULL,
      updated_at ${time} NOT NULL
    )`,
    `CREATE INDEX webhook_endpoints_by_app ON webhook_endpoints (deployment_id, app_id, created_at)`,
    `CREATE TABLE webhook_subscriptions (
      deployment_id TEXT NOT NULL,
      endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
      event_name TEXT NOT NULL,
      PRIMARY KEY (endpoint_id, event_name)
    )`,
    `CREATE INDEX webhook_subscriptions_by_event ON webhook_subscriptions (deployment_id, event_name)`,
    // The outbox: one row per event, its payload exactly the body every endpoint receives.
    `CREATE TABLE webhook_events (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      -- Set for an app's own events (trigger); built-in events go to every app of the deployment.
      app_id TEXT REFERENCES webhook_apps (id) ON DELETE CASCADE,
      event_type TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at ${time} NOT NULL
    )`,
    `CREATE INDEX webhook_events_by_deployment ON webhook_events (deployment_id, created_at)`,
    `CREATE TABLE webhook_deliveries (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      app_id TEXT NOT NULL REFERENCES webhook_apps (id) ON DELETE CASCADE,
      endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
      event_id TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
      event_type TEXT NOT NULL,
      status TEXT NOT NULL,
      attempt_count INTEGER NOT NULL,
      max_attempts INTEGER NOT NULL,
      -- When the next attempt is due; while a dispatcher holds the delivery, when its lease ends.
      next_attempt_at ${time},
      lease_token TEXT,
      last_status_code INTEGER,
      last_response_time_ms INTEGER,
      created_at ${time} NOT NULL,
      updated_at ${time} NOT NULL,
      completed_at ${time}
    )`,
    `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    `CREATE INDEX webhook_deliveries_by_app ON webhook_deliveries (deployment_id, app_id, created_at)`,
    `CREATE TABLE webhook_delivery_attempts (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
      attempt_number INTEGER NOT NULL,
      succeeded ${bool} NOT NULL,
      status_code INTEGER,
      duration_ms INTEGER NOT NULL,
      response_body TEXT,
      response_headers TEXT,
      error TEXT,
      attempted_at ${time} NOT NULL
    )`,
    `CREATE INDEX webhook_delivery_attempts_by_delivery ON webhook_delivery_attempts (delivery_id, attempt_number)`,
    `CREATE TABLE webhook_replay_tasks (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      app_id TEXT NOT NULL REFERENCES webhook_apps (id) ON DELETE CASCADE,
      idempotency_key TEXT,
      status TEXT NOT NULL,
      criteria TEXT NOT NULL,
      total_count INTEGER NOT NULL,
      processed INTEGER NOT NULL,
      replayed_count INTEGER NOT NULL,
      failed_count INTEGER NOT NULL,
      created_at ${time} NOT NULL,
      started_at ${time},
      completed_at ${time}
    )`,
    `CREATE UNIQUE INDEX webhook_replay_tasks_idempotency_unique ON webhook_replay_tasks (app_id, idempotency_key)`,
    `CREATE INDEX webhook_replay_tasks_by_app ON webhook_replay_tasks (deployment_id, app_id, created_at)`,
    // Append-only: rows are inserted and, past the retention, deleted; never updated.
    `CREATE TABLE audit_log_entries (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL,
      created_at ${time} NOT NULL,
      actor_type TEXT NOT NULL,
      actor_id TEXT NOT NULL,
      actor_name TEXT NOT NULL,
      action TEXT NOT NULL,
      target_type TEXT NOT NULL,
      target_id TEXT NOT NULL,
      -- The user the change concerns (the target, or the owner of an email, phone, session…).
      user_id TEXT,
      request_id TEXT,
      ip_address TEXT,
      changes TEXT NOT NULL
    )`,
    `CREATE INDEX audit_log_entries_by_deployment ON audit_log_entries (deployment_id, id)`,
    `CREATE INDEX audit_log_entries_by_user ON audit_log_entries (deployment_id, user_id, id)`,
    `CREATE INDEX audit_log_entries_by_actor ON audit_log_entries (deployment_id, actor_id, id)`,
    `CREATE INDEX audit_log_entries_by_action ON audit_log_entries (deployment_id, action, id)`,
    `CREATE INDEX audit_log_entries_by_created ON audit_log_entries (created_at)`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
