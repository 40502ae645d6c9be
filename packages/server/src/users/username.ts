import { errors } from "../errors.js";
import type { Username } from "./users.storage.js";

/** The one username pattern: sign-in, the list filters and writes all decide by it. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

/** The case-folded form a username's uniqueness (and every lookup) is decided on. */
export function foldUsername(raw: string): string {
  return raw.toLowerCase();
}

export function isUsername(raw: string): boolean {
  return USERNAME_PATTERN.test(raw);
}

export function normalizeUsername(raw: string): Username {
  if (!isUsername(raw)) throw errors.validation_failed({ username: "must be 3 to 64 characters of letters, digits, '_' and '-'" });
  return { username: raw, normalized: foldUsername(raw) };
}
