import { hash, parseOptions, verify } from "@node-rs/argon2";

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

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID_PARAMETERS);
}

/** False for a wrong password and for a hash we cannot read: neither may sign anyone in. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** True when a hash was made with other parameters, so it should be replaced after the next successful sign-in. */
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
