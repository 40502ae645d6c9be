import SqliteDatabase from "better-sqlite3";
import type { ImportUser } from "../import.schemas.js";
import { betterAuthDigest } from "./digests.js";
import { readTableRows } from "./records.js";
import { providerNameOf } from "./social-providers.js";
import { SpillIndex } from "./spill-index.js";
import { droppedKeys, isPresent, isTruthy, splitName, toIsoTime, type BytesRead, type FormatReader } from "./types.js";

interface Account {
  providerId: string;
  accountId: string;
  password: string | null;
}

const KEPT = [
  "id",
  "name",
  "email",
  "emailVerified",
  "createdAt",
  "updatedAt",
  "username",
  "displayUsername",
  "phoneNumber",
  "phoneNumberVerified",
  "banned",
  "banExpires",
];

/**
 * Better Auth's `user` and `account` tables, straight from its SQLite file (read-only, streamed
 * with an index lookup of each user's accounts), or as two exported files (JSON array, NDJSON or
 * CSV; accounts are indexed on disk by userId first, so memory stays bounded).
 */
export async function* readBetterAuth(path: string, options: { accountsPath?: string; now?: number; onBytesRead?: BytesRead } = {}): FormatReader {
  const now = options.now ?? Date.now();
  if (/\.(db|sqlite|sqlite3)$/i.test(path)) {
    yield* readBetterAuthSqlite(path, now);
    return;
  }
  const accounts = new SpillIndex();
  try {
    if (options.accountsPath) {
      for await (const { row } of readTableRows(options.accountsPath)) {
        if (row && isPresent(row.userId))
          accounts.add(String(row.userId), {
            providerId: String(row.providerId),
            accountId: String(row.accountId),
            password: (row.password as string | null) ?? null,
          });
      }
    }
    accounts.seal();
    for await (const { row, location, reason } of readTableRows(path, options.onBytesRead)) {
      if (!row) yield { location, reason: reason!, dropped: [] };
      else yield { location, item: toItem(row, accounts.get<Account>(String(row.id)), now), dropped: droppedKeys(row, KEPT) };
    }
  } finally {
    accounts.close();
  }
}

async function* readBetterAuthSqlite(path: string, now: number): FormatReader {
  const database = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  try {
    const accountsOf = database.prepare(`SELECT providerId, accountId, password FROM account WHERE userId = ? ORDER BY createdAt, id`);
    let rowNumber = 0;
    // iterate() steps the cursor row by row; the accounts query reads through the userId index.
    // A second connection reads the accounts: better-sqlite3 refuses other statements on a connection while one iterates.
    const lookup = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
    const lookupAccounts = lookup.prepare(accountsOf.source);
    try {
      for (const row of database.prepare(`SELECT * FROM "user" ORDER BY createdAt, id`).iterate() as Iterable<Record<string, unknown>>) {
        rowNumber++;
        const accounts = lookupAccounts.all(row.id) as Account[];
        yield { location: `user row ${rowNumber}`, item: toItem(row, accounts, now), dropped: droppedKeys(row, KEPT) };
      }
    } finally {
      lookup.close();
    }
  } finally {
    database.close();
  }
}

function toItem(row: Record<string, unknown>, accounts: Account[], now: number): ImportUser {
  const credential = accounts.find((account) => account.providerId === "credential");
  const social = accounts.filter((account) => account.providerId !== "credential");
  const banExpires = toIsoTime(row.banExpires);
  const isBanned = isTruthy(row.banned) && (!banExpires || Date.parse(banExpires) > now);
  return {
    external_id: String(row.id),
    ...splitName(row.name as string | undefined),
    ...(isPresent(row.username) && { username: String(row.username) }),
    email_addresses: isPresent(row.email) ? [{ email: String(row.email), verified: isTruthy(row.emailVerified) }] : [],
    phone_numbers: isPresent(row.phoneNumber) ? [{ phone_number: String(row.phoneNumber), verified: isTruthy(row.phoneNumberVerified) }] : [],
    ...betterAuthDigest(credential?.password),
    ...(toIsoTime(row.createdAt) && { created_at: toIsoTime(row.createdAt) }),
    ...(isBanned && { disabled: true }),
    social_connections: social.map((account) => ({ provider: providerNameOf(account.providerId), provider_user_id: account.accountId, email_address: null })),
  };
}
