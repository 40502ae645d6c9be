import type { CountryCode } from "libphonenumber-js";
import { domainToASCII } from "node:url";
import { errors } from "../errors.js";
import { requireOnFirstUse } from "../on-first-use.js";

// Loaded with the first phone number, not at start (~35 ms and its metadata; bench/README.md,
// issue 14). Synchronous: normalizing stays a plain function for its many callers.
const phoneNumbers = requireOnFirstUse<typeof import("libphonenumber-js")>("libphonenumber-js");

// Control characters, format characters (zero-width, bidi overrides, soft hyphens…) and surrogate
// code points: invisible or reordering text that makes two different values look the same, or
// one value look like another. Never part of an identifier.
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Cs}]/u;
// With the u flag a surrogate pair is one code point, so \p{Cs} matches only a lone half.
const LONE_SURROGATE = /\p{Cs}/u;
// In names, ZWNJ and ZWJ are letters' glue (Persian, Indic scripts, emoji sequences): kept there.
const INVISIBLE_OR_CONTROL_IN_NAMES = /(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Cs}]/u;

/**
 * Text from a client as we store it: well-formed UTF-16 (no lone surrogate), in NFC (so "é" typed
 * as one code point or as e + U+0301 is the same value), without control or format characters.
 */
export function checkText(raw: string, field: string, options: { isName?: boolean } = {}): string {
  if (LONE_SURROGATE.test(raw)) throw errors.validation_failed({ [field]: "must be well-formed Unicode (no lone surrogates)" });
  const text = raw.normalize("NFC");
  if ((options.isName ? INVISIBLE_OR_CONTROL_IN_NAMES : INVISIBLE_OR_CONTROL).test(text)) {
    throw errors.validation_failed({ [field]: "must not contain control or invisible formatting characters" });
  }
  return text;
}

/** A first or last name: checked text, trimmed of nothing else (names are shown as given). */
export function normalizeName(raw: string, field: string): string {
  return checkText(raw, field, { isName: true });
}

/**
 * The key two look-alike texts share: compatibility forms folded (NFKC: the Kelvin sign K is K,
 * fullwidth ａ is a, the ligature ﬁ is fi), then lower case, then NFKC again (lower-casing can
 * un-normalize).
 */
export function foldForUniqueness(text: string): string {
  return text.normalize("NFKC").toLowerCase().normalize("NFKC");
}

/** The folded form of an address: what uniqueness and every lookup are decided on. */
export const foldEmail = foldForUniqueness;

// Latin letters that other scripts draw identically: one label mixing them with Cyrillic or Greek
// is a look-alike of an all-Latin one ("pаypal" with a Cyrillic а).
const LATIN = /\p{Script=Latin}/u;
const CONFUSABLE_WITH_LATIN = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const mixesConfusableScripts = (label: string) => LATIN.test(label) && CONFUSABLE_WITH_LATIN.test(label);

export const MAX_EMAIL_LENGTH = 254;

// Deliberately permissive (one @, no spaces, a dot in the domain): deliverability is proven by
// verification, not by a regular expression.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export interface NormalizedEmail {
  email: string;
  normalized: string;
}

/**
 * The address as given (trimmed, NFC, its domain in ASCII: an internationalized domain as
 * punycode) and the folded form uniqueness is decided on (foldForUniqueness), so look-alikes
 * collide there. A part mixing Latin with Cyrillic or Greek letters is refused.
 */
export function normalizeEmail(raw: string, field = "email"): NormalizedEmail {
  const text = checkText(raw.trim(), field);
  if (text.length > MAX_EMAIL_LENGTH) throw errors.validation_failed({ [field]: `must be at most ${MAX_EMAIL_LENGTH} characters` });
  if (!EMAIL_PATTERN.test(text)) throw errors.validation_failed({ [field]: "must be a valid email address" });
  const at = text.lastIndexOf("@");
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if ([local, ...domain.split(".")].some(mixesConfusableScripts)) {
    throw errors.validation_failed({ [field]: "must not mix Latin letters with Cyrillic or Greek ones in one part (look-alike addresses)" });
  }
  // An ASCII domain is kept as written (addresses are stored as given); others become punycode.
  const asciiDomain = /^[\x21-\x7e]+$/.test(domain) ? domain : domainToASCII(domain.normalize("NFKC"));
  if (asciiDomain === "" || !EMAIL_PATTERN.test(`${local}@${asciiDomain}`)) throw errors.validation_failed({ [field]: "must be a valid email address" });
  const email = `${local}@${asciiDomain}`;
  if (email.length > MAX_EMAIL_LENGTH) throw errors.validation_failed({ [field]: `must be at most ${MAX_EMAIL_LENGTH} characters` });
  return { email, normalized: foldForUniqueness(email) };
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
  const text = checkText(raw.trim(), field);
  if (text.length === 0 || text.length > 32) throw errors.validation_failed({ [field]: "must be a phone number of at most 32 characters" });
  const parsed = phoneNumbers().parsePhoneNumberFromString(text, phoneParseOptions(countryCode));
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
  throw errors.validation_failed({ country_code: 'must be an ISO 3166 region such as "US" or a calling code such as "+1"' });
}
