import type { ImportUser } from "../import.schemas.js";
import { readCsvObjects } from "./csv.js";
import { fileChunks, isPresent, type BytesRead, type FormatReader } from "./types.js";

const COLUMNS = [
  "id",
  "first_name",
  "last_name",
  "username",
  "primary_email_address",
  "primary_phone_number",
  "verified_email_addresses",
  "unverified_email_addresses",
  "verified_phone_numbers",
  "unverified_phone_numbers",
  "totp_secret",
  "password_digest",
  "password_hasher",
] as const;

/** Several values in one cell: Clerk writes them pipe-separated; its own importer also splits on commas. */
const splitValues = (cell: string | undefined) =>
  (cell ?? "")
    .split(/[|,]/)
    .map((value) => value.trim())
    .filter(Boolean);

/**
 * Clerk's Dashboard user export (CSV, the only export with password digests). Clerk's `id` becomes
 * external_id; every listed address keeps its verified flag; the primary stays primary.
 */
export async function* readClerkCsv(path: string, options: { onBytesRead?: BytesRead } = {}): FormatReader {
  for await (const { row, recordNumber } of readCsvObjects(fileChunks(path, options.onBytesRead))) {
    const location = `row ${recordNumber}`;
    const dropped = Object.keys(row).filter((column) => !(COLUMNS as readonly string[]).includes(column) && isPresent(row[column]));
    const item: ImportUser = {
      ...(isPresent(row.id) && { external_id: row.id }),
      ...(isPresent(row.first_name) && { first_name: row.first_name }),
      ...(isPresent(row.last_name) && { last_name: row.last_name }),
      ...(isPresent(row.username) && { username: row.username }),
      email_addresses: identifiers(row.primary_email_address, row.verified_email_addresses, row.unverified_email_addresses).map(({ value, ...flags }) => ({
        email: value,
        ...flags,
      })),
      phone_numbers: identifiers(row.primary_phone_number, row.verified_phone_numbers, row.unverified_phone_numbers).map(({ value, ...flags }) => ({
        phone_number: value,
        ...flags,
      })),
      ...(isPresent(row.password_digest) && { password_digest: row.password_digest, password_hasher: row.password_hasher || null }),
      // Clerk's authenticators are SHA-1, 6 digits, 30 s, like ours: the user keeps the app they have.
      ...(isPresent(row.totp_secret) && { totp_secret: row.totp_secret }),
    };
    yield { location, item, dropped };
  }
}

/** The primary first; it is verified unless Clerk lists it as unverified. */
function identifiers(primary: string | undefined, verifiedCell: string | undefined, unverifiedCell: string | undefined) {
  const verified = splitValues(verifiedCell);
  const unverified = splitValues(unverifiedCell);
  const entries: Array<{ value: string; verified: boolean; primary: boolean }> = [];
  const primaryValue = primary?.trim();
  const isPrimaryUnverified = primaryValue ? unverified.includes(primaryValue) && !verified.includes(primaryValue) : false;
  if (primaryValue) entries.push({ value: primaryValue, verified: !isPrimaryUnverified, primary: !isPrimaryUnverified });
  for (const value of verified) if (value !== primaryValue) entries.push({ value, verified: true, primary: false });
  for (const value of unverified) if (value !== primaryValue && !verified.includes(value)) entries.push({ value, verified: false, primary: false });
  return entries;
}
