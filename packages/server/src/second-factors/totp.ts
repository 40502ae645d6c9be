import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * TOTP as RFC 6238 defines it, with the parameters every authenticator app understands and the
 * reference server fixes: HMAC-SHA1, 6 digits, 30-second steps.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** A code of the step before or after the current one is accepted too: phones' clocks drift. */
export const TOTP_ACCEPTED_STEP_DRIFT = 1;
/** RFC 4226 asks for at least 128 bits of shared secret. */
export const MIN_TOTP_SECRET_BYTES = 16;

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * An admin-supplied base32 secret as we store and publish it: whitespace and "-" separators
 * stripped, "=" padding dropped, upper-cased. Null when it is not base32 at all.
 */
export function normalizeBase32Secret(raw: string): string | null {
  const normalized = raw.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase();
  if (normalized.length === 0 || ![...normalized].every((char) => BASE32_ALPHABET.includes(char))) return null;
  return normalized;
}

/** RFC 4648 base32 (already normalized) → bytes; trailing bits that do not fill a byte are dropped. */
export function decodeBase32(normalized: string): Buffer {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of normalized) {
    buffer = (buffer << 5) | BASE32_ALPHABET.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
    buffer &= (1 << bits) - 1;
  }
  return Buffer.from(bytes);
}

/** The time step `nowMs` falls in. */
export const totpStepAt = (nowMs: number) => Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);

/** The code of one step (RFC 4226 HOTP with the step as counter, dynamic truncation). */
export function totpCodeFor(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** TOTP_DIGITS;
  return String(value).padStart(TOTP_DIGITS, "0");
}

/**
 * The step whose code `code` is, among the current step ±1, or null. Every candidate is
 * compared, in constant time, so the answer's timing does not say which step came close.
 * Whether that step may still be used (no replay) is the caller's atomic update.
 */
export function matchTotpStep(secret: Buffer, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = totpStepAt(nowMs);
  let matched: number | null = null;
  for (let step = current - TOTP_ACCEPTED_STEP_DRIFT; step <= current + TOTP_ACCEPTED_STEP_DRIFT; step++) {
    if (timingSafeEqual(Buffer.from(totpCodeFor(secret, step)), Buffer.from(code)) && matched === null) matched = step;
  }
  return matched;
}

/** Percent-encodes everything but RFC 3986's unreserved characters (A-Z a-z 0-9 - _ . ~). */
function encodeLabelPart(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The otpauth:// URL authenticator apps read from a QR code, in the reference server's exact form. */
export function otpAuthUrl(issuer: string, accountName: string, normalizedSecret: string): string {
  const encodedIssuer = encodeLabelPart(issuer);
  return (
    `otpauth://totp/${encodedIssuer}:${encodeLabelPart(accountName)}` +
    `?secret=${normalizedSecret}&issuer=${encodedIssuer}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD_SECONDS}`
  );
}
