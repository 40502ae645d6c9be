import { errors } from "./errors.js";
import { uniqueViolationOf } from "./storage/dialect.js";

/**
 * Uniqueness is decided by unique indexes, so concurrent writes get exactly one winner. This maps
 * a violated index (named after its columns in both dialects) to the 409 the loser answers, which
 * names the field (its usual wire name, unless the caller's request calls it otherwise).
 */
const conflictsByIndexColumn: Array<[column: string, field: string, conflict: (field: string) => Error]> = [
  ["email_normalized", "email_address", errors.email_taken],
  ["phone_number", "phone_number", errors.phone_number_taken],
  ["username_normalized", "username", errors.username_taken],
  ["external_id", "external_id", errors.external_id_taken],
  // Postgres reports the index "social_connections_provider_user_unique", SQLite the column "….provider_user_id".
  ["provider_user", "provider_user_id", errors.social_connection_taken],
  ["one_primary", "is_primary", errors.concurrent_primary_change],
  // SQLite names the columns of the partial index "one primary per user" instead of the index.
  [".user_id", "is_primary", errors.concurrent_primary_change],
];

/** Runs a write; a unique-index violation becomes the matching ConflictError, anything else is rethrown. */
export async function withUniqueConflicts<T>(write: () => Promise<T>, fieldAlias: Record<string, string> = {}): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const index = uniqueViolationOf(error);
    if (index === null) throw error;
    const known = conflictsByIndexColumn.find(([column]) => index.includes(column));
    if (!known) throw errors.already_exists();
    const [, field, conflict] = known;
    throw conflict(fieldAlias[field] ?? field);
  }
}
