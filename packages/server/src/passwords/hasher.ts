import { randomBytes } from "node:crypto";
import { argon2, OUR_ARGON2ID } from "./hashers/argon2.js";
import { argon2Library } from "./hashers/argon2-library.js";
import { bcrypt } from "./hashers/bcrypt.js";
import { betterAuthScrypt } from "./hashers/better-auth-scrypt.js";
import { firebaseScrypt } from "./hashers/firebase-scrypt.js";
import type { StoredHashFormat } from "./hashers/format.js";
import {
  convertAuth0PasswordHash,
  convertImportedDigest,
  type Auth0CustomPasswordHash,
  type ConvertedDigest,
  type ImportedDigestInput,
  type PasswordHasher,
} from "./hashers/imported-digest.js";
import { pbkdf2Phc } from "./hashers/pbkdf2.js";
import { phpass } from "./hashers/phpass.js";
import { VerificationGate } from "./hashers/verification-gate.js";
import { wordpressBcrypt } from "./hashers/wordpress-bcrypt.js";

export {
  PASSWORD_HASHERS,
  type FirebaseHashConfig,
  type ImportedDigestInput,
  type PasswordHasher,
  type Auth0CustomPasswordHash,
} from "./hashers/imported-digest.js";
export type NormalizedDigest = ConvertedDigest;
export { MAX_IMPORTED_ARGON2 } from "./hashers/argon2.js";
export { MAX_IMPORTED_BCRYPT_COST } from "./hashers/bcrypt.js";
export { MAX_IMPORTED_SCRYPT_COST } from "./hashers/scrypt.js";
export { MAX_IMPORTED_PBKDF2_ITERATIONS } from "./hashers/pbkdf2.js";
export { MAX_IMPORTED_PHPASS_LOG2_COUNT } from "./hashers/phpass.js";

/**
 * Passwords are hashed with argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane)
 * into PHC strings. @node-rs/argon2 runs on libuv's thread pool, so hashing never blocks the
 * event loop. Passwords are hashed byte-exact: never trimmed or normalized.
 */
export const ARGON2ID_PARAMETERS = {
  algorithm: 2, // Argon2id (a const enum in the library's types, so spelled as its value)
  ...OUR_ARGON2ID,
} as const;

/** Every stored format, each recognised by its prefix. */
const STORED_HASH_FORMATS: readonly StoredHashFormat[] = [argon2, bcrypt, firebaseScrypt, betterAuthScrypt, pbkdf2Phc, phpass, wordpressBcrypt];

/**
 * How many verifications of imported digests may run at once, and wait. Two of libuv's four
 * threads at most, so our own argon2id hashing always has two. When the queue is full the
 * attempt fails as a wrong password does: answering differently would tell a stranger that this
 * account still has an imported hash, and the attempt is counted like any other failure. The
 * queue empties within a few verifications (each is capped to a few hundred ms), so a real user
 * caught in a flood succeeds on the next try.
 */
export const IMPORTED_VERIFICATION_LIMITS = { maxRunning: 2, maxWaiting: 16 } as const;
export const importedVerifications = new VerificationGate(IMPORTED_VERIFICATION_LIMITS.maxRunning, IMPORTED_VERIFICATION_LIMITS.maxWaiting);

export function hashPassword(password: string): Promise<string> {
  return argon2Library().hash(password, ARGON2ID_PARAMETERS);
}

function formatOf(passwordHash: string): StoredHashFormat | null {
  return STORED_HASH_FORMATS.find((format) => format.understands(passwordHash)) ?? null;
}

/** The name of the format a stored digest is in, from its prefix (e.g. "argon2", "bcrypt", "scrypt_firebase"); null for anything else. */
export function hasherOf(passwordHash: string): string | null {
  return formatOf(passwordHash)?.name ?? null;
}

/**
 * False for a wrong password and for a hash we cannot read or that is over the cost caps (one
 * stored before the caps were lowered): none of them may sign anyone in, nor cost us seconds.
 * Digests other than our own go through `importedVerifications`.
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    const format = formatOf(passwordHash);
    if (format === null || format.check(passwordHash) !== null) return false;
    if (!needsRehash(passwordHash)) return await format.verify(passwordHash, password);
    const outcome = await importedVerifications.run(() => format.verify(passwordHash, password));
    return !outcome.refused && outcome.value;
  } catch {
    return false;
  }
}

// Made once per process, with our parameters, from a password nobody knows.
let dummyHash: Promise<string> | undefined;

/**
 * Spends the time verifying a password takes when no user matched the identifier, so that the
 * answer's timing does not reveal whether an account exists.
 */
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(24).toString("base64"));
  await verifyPassword(await dummyHash, password);
}

/**
 * True unless a hash is our argon2id with our current parameters: every imported format, and our
 * own older parameters, are replaced after the next successful sign-in.
 */
export function needsRehash(passwordHash: string): boolean {
  if (!passwordHash.startsWith("$argon2id$")) return true;
  try {
    const options = argon2Library().parseOptions(passwordHash);
    return (
      options.algorithm !== ARGON2ID_PARAMETERS.algorithm ||
      options.memoryCost !== ARGON2ID_PARAMETERS.memoryCost ||
      options.timeCost !== ARGON2ID_PARAMETERS.timeCost ||
      options.parallelism !== ARGON2ID_PARAMETERS.parallelism
    );
  } catch {
    return true;
  }
}

/** Why a stored-form digest cannot be stored (its shape or a cost cap), or null when it can. */
export function checkStoredDigest(stored: string): string | null {
  const format = formatOf(stored);
  if (format === null) return "is not in a format we can verify";
  return format.check(stored);
}

/**
 * The string to store for a digest imported from another provider, or which field is wrong and
 * why (shape or cost cap; the rule names the limit). Never verifies anything, so importing a
 * million users costs no hashing. `hasher` takes our names and Clerk's (`PASSWORD_HASHERS`).
 */
export function normalizeImportedDigest(input: ImportedDigestInput): NormalizedDigest {
  const converted = convertImportedDigest(input);
  if (!("stored" in converted)) return converted;
  const problem = checkStoredDigest(converted.stored);
  return problem === null ? converted : { field: "password_digest", rule: problem };
}

/** The same for Auth0's bulk-import `custom_password_hash` object (bcrypt, argon2 and pbkdf2). */
export function normalizeAuth0PasswordHash(custom: Auth0CustomPasswordHash): NormalizedDigest {
  const converted = convertAuth0PasswordHash(custom);
  if (!("stored" in converted)) return converted;
  const problem = checkStoredDigest(converted.stored);
  return problem === null ? converted : { field: "password_digest", rule: problem };
}

/**
 * Why an imported digest cannot be stored as a `hasher` digest, or null when it can. Only the
 * verdict: what to store is `normalizeImportedDigest`'s `stored`, which differs from the digest
 * for Clerk's, Django's, Firebase's and Better Auth's shapes (storing those raw would leave a user
 * who can never sign in; test/api/imported-passwords.test.ts catches it).
 */
export function checkImportedDigest(digest: string, hasher: PasswordHasher): string | null {
  const normalized = normalizeImportedDigest({ digest, hasher });
  return "stored" in normalized ? null : normalized.rule;
}
