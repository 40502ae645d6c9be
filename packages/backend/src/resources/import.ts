import type { WachtClient } from "../client.js";
import type { RequestOptions } from "../core/request.js";

/** One user to import (also one line of `wacht export`): the create fields plus what a user brings from another provider. */
export interface ImportUser {
  external_id?: string | null;
  first_name?: string;
  last_name?: string;
  username?: string | null;
  /** Shorthand for one verified, primary entry of `email_addresses`. */
  email_address?: string;
  /** Shorthand for one verified, primary entry of `phone_numbers`. */
  phone_number?: string;
  /** At most one primary, and it must be verified; without one, the first verified address is primary. */
  email_addresses?: Array<{ email: string; verified?: boolean; primary?: boolean }>;
  phone_numbers?: Array<{ phone_number: string; verified?: boolean; primary?: boolean }>;
  /** A plain password, hashed by the server (slow in bulk: prefer `password_digest`). */
  password?: string;
  skip_password_check?: boolean;
  /** A hash from another provider; checked for shape and cost, never verified during import. */
  password_digest?: string | null;
  /** e.g. `bcrypt`, `argon2id`, `scrypt_firebase`, `scrypt_better_auth` (Clerk's names). */
  password_hasher?: string | null;
  /** Base32 TOTP secret (at least 128 bits; SHA-1, 6 digits, 30 s), enrolled as the user's authenticator. */
  totp_secret?: string | null;
  /** Plain backup codes (8 letters or digits) or bcrypt / argon2 hashes of them. */
  backup_codes?: string[];
  /** RFC 3339; kept as the user's created_at. */
  created_at?: string;
  disabled?: boolean;
  public_metadata?: Record<string, unknown>;
  private_metadata?: Record<string, unknown>;
  social_connections?: Array<{ provider: string; provider_user_id: string; email_address?: string | null }>;
}

export interface ImportUsersOptions {
  /** An item whose external_id (or, without one, primary email) exists: skip it (default) or update it. */
  on_conflict?: "skip" | "update";
  /** Send webhook events for the imported users (`user.created`, …) in the same transaction (default false). */
  emit_events?: boolean;
  /** Check every item and answer as an import would, writing nothing. */
  dry_run?: boolean;
}

export interface ImportResult {
  /** The item's position in the call's `users`. */
  index: number;
  status: "created" | "updated" | "skipped" | "failed";
  user_id: string | null;
  error: { code: string; message: string; field: string | null } | null;
}

export interface ImportUsersResponse {
  results: ImportResult[];
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

/** The server takes at most this many users per call. */
export const MAX_IMPORT_BATCH = 1000;

export interface ImportProgress {
  /** Items sent so far. */
  sent: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export interface ImportStreamOptions extends ImportUsersOptions {
  /** Users per call, at most (and by default) 1,000. */
  batchSize?: number;
  /** After each call: the running totals and that call's answer (its `index` is within the batch). */
  onProgress?: (progress: ImportProgress, batch: { items: ImportUser[]; response: ImportUsersResponse }) => void | Promise<void>;
}

/** `POST /users/import`. Safe to retry: the client sends one Idempotency-Key for every attempt. */
export function importUsers(
  client: WachtClient,
  users: ImportUser[],
  options: ImportUsersOptions = {},
  requestOptions?: RequestOptions,
): Promise<ImportUsersResponse> {
  if (users.length > MAX_IMPORT_BATCH)
    return Promise.reject(new RangeError(`importUsers takes at most ${MAX_IMPORT_BATCH} users per call; use importUserStream`));
  return client.post("/users/import", { users, ...options }, requestOptions);
}

/**
 * Imports any number of users from an iterable (a generator reading a file, a database cursor):
 * batches of `batchSize`, one call in flight at a time, so memory holds one batch.
 */
export async function importUserStream(
  client: WachtClient,
  source: AsyncIterable<ImportUser> | Iterable<ImportUser>,
  options: ImportStreamOptions = {},
  requestOptions?: RequestOptions,
): Promise<ImportProgress> {
  const { batchSize = MAX_IMPORT_BATCH, onProgress, ...importOptions } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_IMPORT_BATCH) throw new RangeError(`batchSize must be 1 to ${MAX_IMPORT_BATCH}`);
  const progress: ImportProgress = { sent: 0, created: 0, updated: 0, skipped: 0, failed: 0 };
  let batch: ImportUser[] = [];
  const send = async () => {
    const items = batch;
    batch = [];
    const response = await importUsers(client, items, importOptions, requestOptions);
    progress.sent += items.length;
    progress.created += response.created;
    progress.updated += response.updated;
    progress.skipped += response.skipped;
    progress.failed += response.failed;
    await onProgress?.({ ...progress }, { items, response });
  };
  for await (const user of source) {
    batch.push(user);
    if (batch.length >= batchSize) await send();
  }
  if (batch.length > 0) await send();
  return progress;
}
