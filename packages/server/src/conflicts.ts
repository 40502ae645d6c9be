import { ConflictError } from "./errors.js";
import { uniqueViolationOf } from "./storage/dialect.js";

/**
 * Uniqueness is decided by unique indexes, so concurrent writes get exactly one winner. This maps
 * a violated index (named after its columns in both dialects) to the 409 the loser answers.
 */
const conflictsByIndexColumn: Array<[column: string, field: string, code: string, message: string]> = [
  ["email_normalized", "email_address", "email_taken", "That email address is already in use by another user."],
  ["phone_number", "phone_number", "phone_number_taken", "That phone number is already in use by another user."],
  ["username_normalized", "username", "username_taken", "That username is already taken."],
  // Postgres reports the index "social_connections_provider_user_unique", SQLite the column "….provider_user_id".
  ["provider_user", "provider_user_id", "social_connection_taken", "That provider account is already linked to a user."],
  ["one_primary", "is_primary", "concurrent_primary_change", "Another request changed this user's primary identifier at the same time; retry."],
  // SQLite names the columns of the partial index "one primary per user" instead of the index.
  [".user_id", "is_primary", "concurrent_primary_change", "Another request changed this user's primary identifier at the same time; retry."],
];

/** Runs a write; a unique-index violation becomes the matching ConflictError, anything else is rethrown. */
export async function withUniqueConflicts<T>(write: () => Promise<T>, fieldAlias: Record<string, string> = {}): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const index = uniqueViolationOf(error);
    if (index === null) throw error;
    const known = conflictsByIndexColumn.find(([column]) => index.includes(column));
    if (!known) throw new ConflictError("A record with these values already exists.", "already_exists");
    const [, field, code, message] = known;
    throw new ConflictError(message, code, fieldAlias[field] ?? field);
  }
}
