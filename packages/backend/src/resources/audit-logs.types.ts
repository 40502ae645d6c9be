/** Wire types of `client.auditLogs`. */

/** Who made a change: an API key (by its id and name) or the `wacht` CLI. */
export interface AuditLogActor {
  type: "api_key" | "cli";
  id: string;
  name: string;
}

export interface AuditLogEntry {
  id: string;
  created_at: string;
  deployment_id: string;
  actor: AuditLogActor;
  /** `<resource>.<verb>`, e.g. `user.update`, `email.make_primary`, `api_key.revoke`. */
  action: string;
  target: { type: string; id: string };
  request_id: string | null;
  ip_address: string | null;
  /** Names of the fields that changed, never their values. */
  changes: string[];
}

/** Newest first. */
export interface AuditLogPage {
  data: AuditLogEntry[];
  has_more: boolean;
}

export interface ListAuditLogsOptions {
  /** Entries whose target is this user or one of their identifiers, sessions … */
  user_id?: string;
  action?: string;
  actor_id?: string;
  /** RFC 3339; entries at or after. */
  since?: string;
  /** RFC 3339; entries at or before. */
  until?: string;
  /** Page size, 1–100 (server default 20). */
  limit?: number;
  /** The id of the last entry of the previous page. */
  starting_after?: string;
}
