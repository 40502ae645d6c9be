import { createRequire } from "node:module";
import { errors } from "../errors.js";
import { onFirstUse } from "../on-first-use.js";

export const MIN_PASSWORD_LENGTH = 8;
// Argon2 takes any length, but a cap keeps one request from buying minutes of CPU.
export const MAX_PASSWORD_LENGTH = 256;

/**
 * The 50,000 most common passwords of at least 8 characters (OWASP SecLists, as curated by
 * Mozilla for Firefox Accounts), loaded on first use.
 */
const loadCommonPasswords = onFirstUse((): Set<string> => {
  const require = createRequire(import.meta.url);
  const encoded: string = require("fxa-common-password-list/src/encoded-passwords.js");
  // incremental-encoder is the list's own dependency: resolve it from there, not from us.
  const listRequire = createRequire(require.resolve("fxa-common-password-list"));
  const { Decoder } = listRequire("incremental-encoder").default;
  return new Set<string>(new Decoder().decode(encoded.split("\n")));
});

/** Throws a ValidationError naming `field` and the rule the password breaks. */
export function checkPassword(password: string, field: string, options: { skipPolicy: boolean }): void {
  // Counted in code points, so an emoji is one character, as a person would count it.
  const length = [...password].length;
  if (length > MAX_PASSWORD_LENGTH) {
    throw errors.password_too_long(field, MAX_PASSWORD_LENGTH);
  }
  if (options.skipPolicy) return;
  if (length < MIN_PASSWORD_LENGTH) {
    throw errors.password_too_short(field, MIN_PASSWORD_LENGTH);
  }
  if (loadCommonPasswords().has(password)) {
    throw errors.password_too_common(field);
  }
}
