import type { FirebaseHashConfig } from "./types.js";

/** password_digest + password_hasher for an import item, or nothing. */
export type DigestFields = { password_digest: string; password_hasher: string | null } | Record<string, never>;

/**
 * A digest that names its own format ($2a$…, $argon2id$…, Supabase's $fbscrypt$…) → the hasher
 * name we import it under (Clerk's names, which our importer accepts). Empty → no password.
 */
export function selfDescribingDigest(digest: string | null | undefined): DigestFields {
  if (!digest) return {};
  if (/^\$2[abxy]\$/.test(digest)) return { password_digest: digest, password_hasher: "bcrypt" };
  if (digest.startsWith("$argon2id$")) return { password_digest: digest, password_hasher: "argon2id" };
  if (digest.startsWith("$argon2i$")) return { password_digest: digest, password_hasher: "argon2i" };
  // Supabase's own string for users it imported from Firebase; we store the same form.
  if (digest.startsWith("$fbscrypt$")) return { password_digest: digest, password_hasher: "scrypt_firebase" };
  // Anything else goes in unnamed; the importer infers the hasher or names the digest in the rejects file.
  return { password_digest: digest, password_hasher: null };
}

/**
 * Firebase's modified scrypt, as one self-contained digest in Clerk's `scrypt_firebase` layout:
 * `<hash>$<salt>$<signer key>$<salt separator>$<rounds>$<memory cost>` (all base64 but the numbers).
 */
export function firebaseScryptDigest(passwordHash: string, salt: string, config: FirebaseHashConfig): DigestFields {
  return {
    password_digest: [passwordHash, salt, config.signerKey, config.saltSeparator, config.rounds, config.memCost].join("$"),
    password_hasher: "scrypt_firebase",
  };
}

/** Better Auth's `<hex salt>:<hex key>` (scrypt N=16384, r=16, p=1, 64 bytes; the salt's hex text is the salt). */
export function betterAuthDigest(password: string | null | undefined): DigestFields {
  if (!password) return {};
  return { password_digest: password, password_hasher: "scrypt_better_auth" };
}
