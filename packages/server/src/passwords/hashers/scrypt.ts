import { scrypt } from "node:crypto";

/**
 * scrypt's time is N·r·p block mixes and its memory 128·N·r bytes. 2^18 admits Firebase's
 * default (N=2^14, r=8) and Better Auth's (N=2^14, r=16, 32 MiB, ~150 ms here) and refuses the
 * 2^20-and-up settings that would take seconds and hundreds of MiB per sign-in.
 */
export const MAX_IMPORTED_SCRYPT_COST = 2 ** 18;

export interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

export function checkScryptCost({ N, r, p }: ScryptParameters): string | null {
  if (N * r * p > MAX_IMPORTED_SCRYPT_COST) return `must have an scrypt cost N×r×p of at most ${MAX_IMPORTED_SCRYPT_COST} (2^18)`;
  return null;
}

/** crypto.scrypt on libuv's thread pool, with the memory limit raised to what the parameters need (Node's default is 32 MiB). */
export function deriveScryptKey(password: string | Buffer, salt: string | Buffer, keyLength: number, { N, r, p }: ScryptParameters): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N, r, p, maxmem: 128 * N * r * 2 + 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
