import { WachtError, errors } from "../errors.js";
import { normalizeEmail, normalizePhone } from "../identifiers/normalize.js";
import { PASSWORD_HASHERS, normalizeImportedDigest } from "../passwords/hasher.js";
import { checkPassword } from "../passwords/policy.js";
import { checkImportedBackupCode, checkImportedTotpSecret } from "../second-factors/second-factors.service.js";
import { normalizeProvider } from "../social-connections/social-connections.service.js";
import { MAX_METADATA_BYTES, checkExternalId, normalizeUsername } from "../users/users.service.js";
import { checkImportUser, type ImportUser } from "./import.schemas.js";

/** Why one item cannot be imported: reported in its result, never thrown past the batch. */
export interface ItemError {
  code: string;
  message: string;
  field: string | null;
}

export class ItemFailure extends Error {
  constructor(readonly error: ItemError) {
    super(error.message);
  }
}

/** Fails the item with a catalogue error; `field` overrides the field it names (a path inside the item). */
const failWith = (error: WachtError, field?: string | null): never => {
  throw new ItemFailure({ ...itemErrorOf(error), ...(field !== undefined && { field }) });
};
const fail = (field: string | null, rule: string): never => failWith(errors.validation_failed({ [field ?? "user"]: rule }), field);

/** A domain error (a normalizer's 400, a unique index's 409) → the item's error. */
export function itemErrorOf(error: WachtError, fieldPrefix = ""): ItemError {
  const field = error.details ? (Object.keys(error.details)[0] ?? null) : null;
  const prefixed = field && fieldPrefix ? `${fieldPrefix}.${field}` : (field ?? (fieldPrefix || null));
  return { code: error.code, message: error.message, field: prefixed };
}

export interface PreparedEmail {
  email: string;
  normalized: string;
  verified: boolean;
  isPrimary: boolean;
}

export interface PreparedPhone {
  phoneNumber: string;
  countryCode: string;
  verified: boolean;
  isPrimary: boolean;
}

export interface PreparedConnection {
  provider: string;
  providerUserId: string;
  emailAddress: string | null;
}

/** An item that passed every check that needs no database: what the import service writes. */
export interface PreparedUser {
  externalId: string | null;
  firstName: string | undefined;
  lastName: string | undefined;
  username: { username: string; normalized: string } | null | undefined;
  emails: PreparedEmail[];
  phones: PreparedPhone[];
  /** A stored-form digest, or a plain password still to hash. */
  passwordHash: string | undefined;
  plainPassword: string | undefined;
  createdAt: number | undefined;
  disabled: boolean | undefined;
  publicMetadata: Record<string, unknown> | undefined;
  privateMetadata: Record<string, unknown> | undefined;
  socialConnections: PreparedConnection[];
  /** Normalized base32; undefined when the item has none (null: it says none). */
  totpSecret: string | null | undefined;
  /** Hashes ready to store, plus plain codes still to hash; undefined when the item has none. */
  backupCodes: { hashes: string[]; plain: string[] } | undefined;
}

/**
 * Checks and normalizes one item exactly as the create and update routes would, without the
 * database. Digests are checked for shape and cost caps only: never verified (a million users
 * must not cost a million hashes).
 */
export function prepareImportUser(value: unknown): PreparedUser {
  const checked = checkImportUser(value);
  if ("rule" in checked) return fail(checked.field, checked.rule);
  const item = checked.item;
  rejectNulCharacters(item);
  try {
    return prepareChecked(item);
  } catch (error) {
    if (error instanceof WachtError) throw new ItemFailure(itemErrorOf(error));
    throw error;
  }
}

function prepareChecked(item: ImportUser): PreparedUser {
  const emails = prepareEmails(item);
  const phones = preparePhones(item);
  const username = item.username === undefined || item.username === null ? item.username : normalizeUsername(item.username);
  const socialConnections = (item.social_connections ?? []).map((connection, index) => {
    const field = `social_connections[${index}]`;
    let provider: string;
    try {
      provider = normalizeProvider(connection.provider);
    } catch {
      return fail(`${field}.provider`, 'must be a provider name such as "google" or "github_oauth"');
    }
    const providerUserId = connection.provider_user_id.trim();
    if (providerUserId.length < 1) fail(`${field}.provider_user_id`, "must be 1 to 255 characters");
    const emailAddress = connection.email_address?.trim() || null;
    return { provider, providerUserId, emailAddress };
  });
  if (emails.length === 0 && phones.length === 0 && !username && socialConnections.length === 0) {
    failWith(errors.identifier_required());
  }
  if (item.password !== undefined && item.password_digest) fail("password_digest", "cannot be sent together with password");
  if (item.password !== undefined) checkPassword(item.password, "password", { skipPolicy: item.skip_password_check === true });
  return {
    externalId: item.external_id == null ? null : checkExternalId(item.external_id),
    firstName: item.first_name,
    lastName: item.last_name,
    username,
    emails,
    phones,
    passwordHash: item.password_digest ? storedDigestOf(item.password_digest, item.password_hasher ?? null) : undefined,
    plainPassword: item.password,
    createdAt: item.created_at === undefined ? undefined : parseCreatedAt(item.created_at),
    disabled: item.disabled,
    publicMetadata: serializeMetadata("public_metadata", item.public_metadata),
    privateMetadata: serializeMetadata("private_metadata", item.private_metadata),
    socialConnections,
    totpSecret: prepareTotpSecret(item.totp_secret),
    backupCodes: prepareBackupCodes(item.backup_codes),
  };
}

function prepareTotpSecret(raw: string | null | undefined): string | null | undefined {
  if (raw === undefined || raw === null || raw.trim() === "") return raw === undefined ? undefined : null;
  return checkImportedTotpSecret(raw) ?? fail("totp_secret", "must be base32 (A-Z, 2-7; spaces and '-' allowed) of at least 16 bytes");
}

function prepareBackupCodes(codes: string[] | undefined): PreparedUser["backupCodes"] {
  if (codes === undefined || codes.length === 0) return undefined;
  const prepared = { hashes: [] as string[], plain: [] as string[] };
  for (const [index, code] of codes.entries()) {
    const checked = checkImportedBackupCode(code);
    if (checked === null) fail(`backup_codes[${index}]`, "must be 8 letters or digits (dashes and spaces ignored), or a bcrypt or argon2 hash of such a code");
    else if ("plain" in checked) prepared.plain.push(checked.plain);
    else prepared.hashes.push(checked.hash);
  }
  return prepared;
}

/** Emails from the shorthand and the list, de-duplicated, with the primary rule applied. */
function prepareEmails(item: ImportUser): PreparedEmail[] {
  const given = [
    ...(item.email_address === undefined ? [] : [{ email: item.email_address, verified: true, primary: true, field: "email_address" }]),
    ...(item.email_addresses ?? []).map((entry, index) => ({ ...entry, field: `email_addresses[${index}].email` })),
  ];
  const byAddress = new Map<string, PreparedEmail & { field: string }>();
  for (const entry of given) {
    const { email, normalized } = normalizeEmail(entry.email, entry.field);
    const seen = byAddress.get(normalized);
    const prepared = {
      email,
      normalized,
      verified: entry.verified === true || seen?.verified === true,
      isPrimary: entry.primary === true || seen?.isPrimary === true,
      field: entry.field,
    };
    byAddress.set(normalized, prepared);
  }
  return applyPrimaryRule([...byAddress.values()], "email_addresses", "email address");
}

function preparePhones(item: ImportUser): PreparedPhone[] {
  const given = [
    ...(item.phone_number === undefined ? [] : [{ phone_number: item.phone_number, verified: true, primary: true, field: "phone_number" }]),
    ...(item.phone_numbers ?? []).map((entry, index) => ({ ...entry, field: `phone_numbers[${index}].phone_number` })),
  ];
  const byNumber = new Map<string, PreparedPhone & { field: string }>();
  for (const entry of given) {
    const { phoneNumber, countryCode } = normalizePhone(entry.phone_number, undefined, entry.field);
    const seen = byNumber.get(phoneNumber);
    byNumber.set(phoneNumber, {
      phoneNumber,
      countryCode,
      verified: entry.verified === true || seen?.verified === true,
      isPrimary: entry.primary === true || seen?.isPrimary === true,
      field: entry.field,
    });
  }
  return applyPrimaryRule([...byNumber.values()], "phone_numbers", "phone number");
}

/** The same rules as everywhere else: one primary at most, a primary is verified, and the first verified one is primary by default. */
function applyPrimaryRule<T extends { verified: boolean; isPrimary: boolean; field: string }>(
  entries: T[],
  listField: string,
  noun: "email address" | "phone number",
): T[] {
  const primaries = entries.filter((entry) => entry.isPrimary);
  if (primaries.length > 1) fail(listField, `at most one ${noun} may be primary`);
  const primary = primaries[0];
  if (primary && !primary.verified) failWith(errors.primary_must_be_verified(noun), primary.field.replace(/\.(email|phone_number)$/, ".primary"));
  if (!primary) {
    const firstVerified = entries.find((entry) => entry.verified);
    if (firstVerified) firstVerified.isPrimary = true;
  }
  return entries;
}

/**
 * The digest as it will be stored (normalizeImportedDigest: shape and cost caps, never the
 * password). The hasher name may be left out when the digest names itself ($2b$…, $argon2id$…).
 */
export function storedDigestOf(digest: string, hasher: string | null): string {
  const name = hasher ?? hasherNamedBy(digest);
  if (name === null) return failWith(errors.unsupported_password_hasher(`is required: one of ${PASSWORD_HASHERS.join(", ")}`));
  const normalized = normalizeImportedDigest({ digest, hasher: name });
  if ("stored" in normalized) return normalized.stored;
  if (normalized.field === "password_hasher") return failWith(errors.unsupported_password_hasher(normalized.rule));
  return failWith(errors.invalid_password_digest("password_digest", normalized.rule));
}

/**
 * The password_hasher name of a digest in one of the self-describing forms we store (and export),
 * so that `wacht export` output and stored-form digests import without naming their hasher.
 */
export function hasherNamedBy(digest: string): string | null {
  if (digest.startsWith("$argon2id$")) return "argon2id";
  if (digest.startsWith("$argon2i$")) return "argon2i";
  if (/^\$2[abxy]?\$/.test(digest)) return "bcrypt";
  if (digest.startsWith("$fbscrypt$")) return "scrypt_firebase";
  if (digest.startsWith("$ba-scrypt$")) return "scrypt_better_auth";
  if (digest.startsWith("$pbkdf2-")) return "pbkdf2";
  if (/^\$[PH]\$/.test(digest)) return "phpass";
  if (digest.startsWith("$wp$")) return "wordpress";
  return null;
}

function parseCreatedAt(text: string): number {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\d[T ]/.test(text) || Number.isNaN(ms) || ms < 0) fail("created_at", "must be an RFC 3339 date-time such as 2024-01-15T10:30:00Z");
  return ms;
}

function serializeMetadata(field: string, value: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (value !== undefined && Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) fail(field, `must be at most ${MAX_METADATA_BYTES} bytes as JSON`);
  return value;
}

/** Postgres text cannot hold U+0000; metadata is stored as escaped JSON, so it may. */
function rejectNulCharacters(item: ImportUser): void {
  const { public_metadata: _public, private_metadata: _private, ...texts } = item;
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "string" && value.includes("\u0000")) fail(path, "must not contain NUL characters");
    else if (Array.isArray(value)) value.forEach((entry, index) => walk(entry, `${path}[${index}]`));
    else if (value && typeof value === "object") for (const [key, entry] of Object.entries(value)) walk(entry, path ? `${path}.${key}` : key);
  };
  walk(texts, "");
}
