import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import { errors } from "../errors.js";

export const MAX_EMAIL_LENGTH = 254;

// Deliberately permissive (one @, no spaces, a dot in the domain): deliverability is proven by
// verification, not by a regular expression.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export interface NormalizedEmail {
  email: string;
  normalized: string;
}

/** The case-folded form of an address: what uniqueness and every lookup are decided on. */
export function foldEmail(email: string): string {
  return email.toLowerCase();
}

/** The address as given (trimmed) and the case-folded form uniqueness is decided on. */
export function normalizeEmail(raw: string, field = "email"): NormalizedEmail {
  const email = raw.trim();
  if (email.length > MAX_EMAIL_LENGTH) throw errors.validation_failed({ [field]: `must be at most ${MAX_EMAIL_LENGTH} characters` });
  if (!EMAIL_PATTERN.test(email)) throw errors.validation_failed({ [field]: "must be a valid email address" });
  return { email, normalized: foldEmail(email) };
}

export interface NormalizedPhone {
  /** E.164, the form uniqueness is decided on. */
  phoneNumber: string;
  /** ISO 3166 region ("US") where the number has one, else its calling code ("+800"). */
  countryCode: string;
}

/**
 * Accepts "+14155552671", or a national number with `countryCode` given as a region ("US") or a
 * calling code ("+1"): both forms are in use by clients.
 */
export function normalizePhone(raw: string, countryCode?: string, field = "phone_number"): NormalizedPhone {
  const text = raw.trim();
  if (text.length === 0 || text.length > 32) throw errors.validation_failed({ [field]: "must be a phone number of at most 32 characters" });
  const parsed = parsePhoneNumberFromString(text, phoneParseOptions(countryCode));
  if (!parsed || !parsed.isValid()) {
    const hint = countryCode ? "" : " (use E.164 such as +14155552671, or give country_code)";
    throw errors.validation_failed({ [field]: `must be a valid phone number${hint}` });
  }
  return { phoneNumber: parsed.number, countryCode: parsed.country ?? `+${parsed.countryCallingCode}` };
}

function phoneParseOptions(countryCode: string | undefined) {
  if (countryCode === undefined || countryCode === "") return {};
  const code = countryCode.trim();
  if (/^\+?\d{1,3}$/.test(code)) return { defaultCallingCode: code.replace("+", "") };
  if (/^[A-Za-z]{2}$/.test(code)) return { defaultCountry: code.toUpperCase() as CountryCode };
  throw errors.validation_failed({ country_code: "must be an ISO 3166 region such as \"US\" or a calling code such as \"+1\"" });
}
