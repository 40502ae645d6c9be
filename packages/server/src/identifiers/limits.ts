/**
 * How many of each kind one user may have. Every add, details read and primary change walks a
 * user's rows, so none may grow without bound (docs/security.md, "Limits").
 */
export const MAX_EMAILS_PER_USER = 50;
export const MAX_PHONES_PER_USER = 50;
