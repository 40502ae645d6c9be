import { argon2VariantOf } from "./argon2.js";
import { BETTER_AUTH_PREFIX, isBareBetterAuthDigest } from "./better-auth-scrypt.js";
import { decodeBase64 } from "./format.js";
import { formatFirebaseScrypt } from "./firebase-scrypt.js";
import { formatPbkdf2, type Pbkdf2Digest } from "./pbkdf2.js";

/**
 * The names `password_hasher` accepts: Clerk's names for the formats we verify (so a Clerk
 * export's column can be passed as it is), plus `scrypt_better_auth` and `pbkdf2` (PHC, as Auth0
 * writes it) and `wordpress` (a WordPress `user_pass` as it is: `$P$…`, 6.8's `$wp$2y$…`, or a
 * plugin's plain bcrypt) of our own.
 */
export const PASSWORD_HASHERS = [
  "argon2id",
  "argon2i",
  "bcrypt",
  "scrypt_firebase",
  "scrypt_better_auth",
  "pbkdf2",
  "pbkdf2_sha256",
  "pbkdf2_sha256_django",
  "pbkdf2_sha512",
  "phpass",
  "md5_phpass",
  "wordpress",
] as const;
export type PasswordHasher = (typeof PASSWORD_HASHERS)[number];

/** A Firebase project's password hash parameters (console → Authentication → Users → ⋮ → Password hash parameters). */
export interface FirebaseHashConfig {
  /** base64_signer_key */
  signerKey: string;
  /** base64_salt_separator */
  saltSeparator: string;
  rounds: number;
  /** mem_cost (log2 of N) */
  memCost: number;
}

export interface ImportedDigestInput {
  digest: string;
  hasher: string;
  /** The per-user salt when the digest comes without it (a Firebase export's `salt`). */
  salt?: string;
  /** For a bare Firebase `passwordHash`: the project's parameters. */
  firebase?: FirebaseHashConfig;
}

/** Which input a refusal is about; `rule` is a sentence fragment for a 400 ("password_digest must …"). */
export type ImportedDigestField = "password_digest" | "password_hasher" | "salt" | "firebase";
export type ConvertedDigest = { stored: string } | { field: ImportedDigestField; rule: string };

const refuse = (rule: string, field: ImportedDigestField = "password_digest"): ConvertedDigest => ({ field, rule });

/** Firebase exports write base64 URL-safe in places; we store standard base64. */
const standardBase64 = (text: string) => text.replace(/-/g, "+").replace(/_/g, "/");

function convertFirebaseDigest(input: ImportedDigestInput): ConvertedDigest {
  const { digest } = input;
  if (digest.startsWith("$fbscrypt$")) return { stored: digest };
  const clerkParts = digest.split("$");
  if (clerkParts.length === 6) {
    // Clerk's shape: <hash>$<salt>$<signer key>$<salt separator>$<rounds>$<memory cost>
    const [hash, salt, signerKey, saltSeparator, rounds, memCost] = clerkParts as [string, string, string, string, string, string];
    if (!/^\d{1,2}$/.test(rounds) || !/^\d{1,2}$/.test(memCost))
      return refuse("must end in $<rounds>$<memory cost> as numbers (Clerk's scrypt_firebase shape)");
    return { stored: formatFirebaseScrypt({ hash, salt, signerKey, saltSeparator, rounds: Number(rounds), memCost: Number(memCost) }) };
  }
  if (digest.includes("$"))
    return refuse("must be $fbscrypt$…, Clerk's <hash>$<salt>$<signer key>$<salt separator>$<rounds>$<memory cost>, or a bare Firebase passwordHash");
  if (input.salt === undefined) return refuse("is required for a bare Firebase passwordHash", "salt");
  const config = input.firebase;
  if (config === undefined)
    return refuse("(the project's signer key, salt separator, rounds and memory cost) is required for a bare Firebase passwordHash", "firebase");
  if (!Number.isInteger(config.rounds) || !Number.isInteger(config.memCost)) return refuse("rounds and memCost must be whole numbers", "firebase");
  if (decodeBase64(standardBase64(config.signerKey)) === null) return refuse("signerKey must be base64", "firebase");
  if (config.saltSeparator !== "" && decodeBase64(standardBase64(config.saltSeparator)) === null) return refuse("saltSeparator must be base64", "firebase");
  if (decodeBase64(standardBase64(input.salt)) === null) return refuse("must be base64", "salt");
  return {
    stored: formatFirebaseScrypt({
      hash: standardBase64(digest),
      salt: standardBase64(input.salt),
      signerKey: standardBase64(config.signerKey),
      saltSeparator: standardBase64(config.saltSeparator),
      rounds: config.rounds,
      memCost: config.memCost,
    }),
  };
}

function convertBetterAuthDigest(digest: string): ConvertedDigest {
  if (digest.startsWith(BETTER_AUTH_PREFIX)) return { stored: digest };
  if (!isBareBetterAuthDigest(digest)) return refuse("must be a Better Auth scrypt digest: <hex salt>:<128 hex digits of key>");
  return { stored: `${BETTER_AUTH_PREFIX}${digest}` };
}

/**
 * `<prefix>$<iterations>$<salt>$<hash>`, as Django (`pbkdf2_sha256$…`, salt as text, hash base64)
 * and Clerk (`pbkdf2_sha256`: salt and hash base64; `pbkdf2_sha512`: salt as text, hash hex) write it.
 */
function convertModularPbkdf2(
  digest: string,
  shape: { prefix: string; digest: Pbkdf2Digest; salt: "text" | "base64"; hash: "base64" | "hex" },
): ConvertedDigest {
  const parts = digest.split("$");
  const example = `${shape.prefix}$<iterations>$<${shape.salt === "text" ? "salt" : "base64 salt"}>$<${shape.hash} hash>`;
  if (parts.length !== 4 || parts[0] !== shape.prefix || !/^[1-9]\d{0,9}$/.test(parts[1]!)) return refuse(`must be ${example}`);
  const [, iterations, saltText, hashText] = parts as [string, string, string, string];
  const salt = shape.salt === "text" ? Buffer.from(saltText, "utf8") : decodeBase64(saltText);
  const hash = shape.hash === "hex" ? (/^([0-9a-fA-F]{2})+$/.test(hashText) ? Buffer.from(hashText, "hex") : null) : decodeBase64(hashText);
  if (salt === null || salt.length === 0 || hash === null) return refuse(`must be ${example}`);
  return { stored: formatPbkdf2({ digest: shape.digest, iterations: Number(iterations), salt, hash }) };
}

function convertPbkdf2Digest(digest: string, hasher: PasswordHasher): ConvertedDigest {
  if (digest.startsWith("$pbkdf2-")) {
    if (hasher === "pbkdf2_sha256" && !digest.startsWith("$pbkdf2-sha256$")) return refuse("must be a PBKDF2-SHA256 digest for pbkdf2_sha256");
    if (hasher === "pbkdf2_sha512" && !digest.startsWith("$pbkdf2-sha512$")) return refuse("must be a PBKDF2-SHA512 digest for pbkdf2_sha512");
    return { stored: digest };
  }
  if (hasher === "pbkdf2_sha256") return convertModularPbkdf2(digest, { prefix: "pbkdf2_sha256", digest: "sha256", salt: "base64", hash: "base64" });
  if (hasher === "pbkdf2_sha256_django") return convertModularPbkdf2(digest, { prefix: "pbkdf2_sha256", digest: "sha256", salt: "text", hash: "base64" });
  if (hasher === "pbkdf2_sha512") return convertModularPbkdf2(digest, { prefix: "pbkdf2_sha512", digest: "sha512", salt: "text", hash: "hex" });
  return refuse("must be a PBKDF2 digest in PHC form: $pbkdf2-sha256$i=<iterations>,l=<key length>$<b64 salt>$<b64 hash>");
}

/**
 * Turns an imported digest, in whichever shape its provider wrote it, into the one
 * self-describing string we store (see hashers/). Checks shape only, never the cost caps and
 * never the password: the caller runs the stored form's check (`checkStoredDigest`).
 */
export function convertImportedDigest(input: ImportedDigestInput): ConvertedDigest {
  if (!(PASSWORD_HASHERS as readonly string[]).includes(input.hasher)) {
    return refuse(`must be one of ${PASSWORD_HASHERS.join(", ")}`, "password_hasher");
  }
  const hasher = input.hasher as PasswordHasher;
  const { digest } = input;
  if (input.salt !== undefined && hasher !== "scrypt_firebase") return refuse(`is only taken with scrypt_firebase; ${hasher} digests carry their salt`, "salt");
  switch (hasher) {
    case "argon2i":
    case "argon2id":
      return argon2VariantOf(digest) === hasher
        ? { stored: digest }
        : refuse(`must be an ${hasher} digest in PHC form ($${hasher}$v=19$m=…,t=…,p=…$salt$hash)`);
    case "bcrypt":
      return /^\$2[abxy]?\$/.test(digest) ? { stored: digest } : refuse("must be a bcrypt digest such as $2b$10$ followed by 53 characters");
    case "phpass":
    case "md5_phpass":
      return /^\$[PH]\$/.test(digest) ? { stored: digest } : refuse("must be a phpass digest: $P$ or $H$ followed by 31 characters");
    case "wordpress":
      return /^(\$P\$|\$wp\$2|\$2[aby]\$)/.test(digest) ? { stored: digest } : refuse("must be a WordPress user_pass: $P$…, $wp$2y$… or $2y$…");
    case "scrypt_firebase":
      return convertFirebaseDigest(input);
    case "scrypt_better_auth":
      return convertBetterAuthDigest(digest);
    case "pbkdf2":
    case "pbkdf2_sha256":
    case "pbkdf2_sha256_django":
    case "pbkdf2_sha512":
      return convertPbkdf2Digest(digest, hasher);
  }
}

/** Auth0's bulk-import `custom_password_hash` object, for the algorithms whose hash is one self-contained string. */
export interface Auth0CustomPasswordHash {
  algorithm: string;
  hash: { value: string; encoding?: string };
  salt?: unknown;
  password?: { encoding?: string };
}

/**
 * Converts Auth0's `custom_password_hash` for bcrypt (`$2a$/$2b$/$2y$`), argon2 (PHC) and pbkdf2
 * (PHC `$pbkdf2-sha256$…`/`-sha512`); others (md5, sha*, hmac, ldap, scrypt with separate
 * parameters, salts) are refused as unsupported.
 */
export function convertAuth0PasswordHash(custom: Auth0CustomPasswordHash): ConvertedDigest {
  const unsupported = (why: string) => refuse(why);
  if (custom.salt !== undefined) return unsupported("custom_password_hash with a separate salt is not supported");
  if (custom.password?.encoding !== undefined && custom.password.encoding !== "utf8") return unsupported("custom_password_hash must hash the password as utf8");
  if (custom.hash.encoding !== undefined && custom.hash.encoding !== "utf8")
    return unsupported("custom_password_hash.hash must be utf8 for bcrypt, argon2 and pbkdf2");
  const value = custom.hash.value;
  if (custom.algorithm === "bcrypt") return convertImportedDigest({ digest: value, hasher: "bcrypt" });
  if (custom.algorithm === "argon2") {
    const variant = argon2VariantOf(value);
    return variant ? convertImportedDigest({ digest: value, hasher: variant }) : refuse("must be an argon2i or argon2id PHC string");
  }
  if (custom.algorithm === "pbkdf2") return convertImportedDigest({ digest: value, hasher: "pbkdf2" });
  return unsupported(`custom_password_hash algorithm ${custom.algorithm} is not supported (bcrypt, argon2 and pbkdf2 are)`);
}
