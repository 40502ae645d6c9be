import type { ParsedHashOptions } from "@node-rs/argon2";
import { argon2Library } from "./argon2-library.js";
import type { StoredHashFormat } from "./format.js";

/**
 * argon2i and argon2id in PHC form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), ours and imported
 * ones alike. @node-rs/argon2 runs on libuv's thread pool.
 */
export const ARGON2_ALGORITHM_IDS = { argon2i: 1, argon2id: 2 } as const;
export type Argon2Variant = keyof typeof ARGON2_ALGORITHM_IDS;

/** Our own parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane). */
export const OUR_ARGON2ID = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// Near our own cost, so an imported digest costs a sign-in at most a few times what ours does:
// memory is what runs a server out of RAM, memory × passes is the time, lanes are threads.
export const MAX_IMPORTED_ARGON2 = {
  memoryCost: 65536,
  memoryTimesPasses: 4 * OUR_ARGON2ID.memoryCost * OUR_ARGON2ID.timeCost,
  parallelism: 4,
} as const;

const VERSION_0x13 = 1; // the library's Version enum: 0 is 0x10, 1 is 0x13 (v=19)

export function argon2VariantOf(stored: string): Argon2Variant | null {
  if (stored.startsWith("$argon2id$")) return "argon2id";
  if (stored.startsWith("$argon2i$")) return "argon2i";
  return null;
}

export function parseArgon2Options(stored: string): ParsedHashOptions | null {
  try {
    return argon2Library().parseOptions(stored);
  } catch {
    return null;
  }
}

export const argon2: StoredHashFormat = {
  name: "argon2",
  understands: (stored) => argon2VariantOf(stored) !== null,
  check(stored) {
    const variant = argon2VariantOf(stored);
    const options = parseArgon2Options(stored);
    if (variant === null || options === null || options.algorithm !== ARGON2_ALGORITHM_IDS[variant]) {
      return "must be an argon2i or argon2id digest in PHC form ($argon2id$v=19$m=…,t=…,p=…$salt$hash)";
    }
    if (options.version !== VERSION_0x13) return "must be argon2 version 19 (v=19)";
    if (options.memoryCost > MAX_IMPORTED_ARGON2.memoryCost) return `must use at most ${MAX_IMPORTED_ARGON2.memoryCost} KiB of memory (m=)`;
    if (options.memoryCost * options.timeCost > MAX_IMPORTED_ARGON2.memoryTimesPasses) {
      return `must have memory times passes (m= × t=) of at most ${MAX_IMPORTED_ARGON2.memoryTimesPasses}`;
    }
    if (options.parallelism > MAX_IMPORTED_ARGON2.parallelism) return `must use at most ${MAX_IMPORTED_ARGON2.parallelism} lanes (p=)`;
    if (options.outputLen < 16 || options.saltLen < 8) return "must have a hash of at least 16 bytes and a salt of at least 8";
    return null;
  },
  verify: (stored, password) => argon2Library().verify(stored, password),
};
