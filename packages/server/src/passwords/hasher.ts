import { hash, parseOptions, verify } from "@node-rs/argon2";
import { parseOptions as parseBcryptOptions, verify as verifyBcrypt } from "@node-rs/bcrypt";
import { randomBytes } from "node:crypto";

/**
 * Passwords are hashed with argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane)
 * into PHC strings. @node-rs/argon2 runs on libuv's thread pool, so hashing never blocks the
 * event loop. Passwords are hashed byte-exact: never trimmed or normalized.
 */
export const ARGON2ID_PARAMETERS = {
  algorithm: 2, // Argon2id (a const enum in the library's types, so spelled as its value)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Formats a digest imported from another provider may be in; each is verified, then replaced by ours. */
export const PASSWORD_HASHERS = ["argon2id", "argon2i", "bcrypt"] as const;
export type PasswordHasher = (typeof PASSWORD_HASHERS)[number];

const ARGON2_ALGORITHMS: Record<string, number> = { argon2i: 1, argon2id: 2 };
const BCRYPT_PATTERN = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

// Caps on imported digests' parameters: every sign-in pays them, so a digest asking for 4 GiB of
// memory or 2^31 bcrypt rounds would turn each attempt into a denial of service.
const MAX_IMPORTED_ARGON2 = { memoryCost: 256 * 1024, timeCost: 16, parallelism: 16 };
const MAX_IMPORTED_BCRYPT_COST = 15;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID_PARAMETERS);
}

/** Which of our formats a stored digest is in, from its prefix; null for anything else. */
export function hasherOf(passwordHash: string): PasswordHasher | null {
  if (passwordHash.startsWith("$argon2id$")) return "argon2id";
  if (passwordHash.startsWith("$argon2i$")) return "argon2i";
  if (BCRYPT_PATTERN.test(passwordHash)) return "bcrypt";
  return null;
}

/** False for a wrong password and for a hash we cannot read: neither may sign anyone in. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    const hasher = hasherOf(passwordHash);
    if (hasher === "bcrypt") return await verifyBcrypt(password, passwordHash);
    if (hasher === null) return false;
    return await verify(passwordHash, password);
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

/** True when a hash was made with other parameters or another algorithm, so it should be replaced after the next successful sign-in. */
export function needsRehash(passwordHash: string): boolean {
  try {
    const options = parseOptions(passwordHash);
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

/** Why an imported digest cannot be stored as a `hasher` digest, or null when it can. */
export function checkImportedDigest(digest: string, hasher: PasswordHasher): string | null {
  if (hasher === "bcrypt") {
    if (!BCRYPT_PATTERN.test(digest)) return "must be a bcrypt digest such as $2b$10$ followed by 53 characters";
    let cost: number;
    try {
      cost = parseBcryptOptions(digest).cost;
    } catch {
      return "is not a bcrypt digest bcrypt can read";
    }
    return cost > MAX_IMPORTED_BCRYPT_COST ? `must have a bcrypt cost of at most ${MAX_IMPORTED_BCRYPT_COST}` : null;
  }
  if (hasherOf(digest) !== hasher) return `must be an ${hasher} digest in PHC form ($${hasher}$v=19$m=…,t=…,p=…$salt$hash)`;
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(digest);
  } catch {
    return `is not an ${hasher} digest in PHC form ($${hasher}$v=19$m=…,t=…,p=…$salt$hash)`;
  }
  if (options.algorithm !== ARGON2_ALGORITHMS[hasher]) return `is not an ${hasher} digest`;
  if (options.memoryCost > MAX_IMPORTED_ARGON2.memoryCost) return `must use at most ${MAX_IMPORTED_ARGON2.memoryCost} KiB of memory (m=)`;
  if (options.timeCost > MAX_IMPORTED_ARGON2.timeCost) return `must use at most ${MAX_IMPORTED_ARGON2.timeCost} passes (t=)`;
  if (options.parallelism > MAX_IMPORTED_ARGON2.parallelism) return `must use at most ${MAX_IMPORTED_ARGON2.parallelism} lanes (p=)`;
  if (options.outputLen < 16 || options.saltLen < 8) return "must have a hash of at least 16 bytes and a salt of at least 8";
  return null;
}
