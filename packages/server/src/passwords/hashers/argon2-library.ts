import { createRequire } from "node:module";

type Argon2Library = typeof import("@node-rs/argon2");
let loaded: Argon2Library | undefined;

/**
 * @node-rs/argon2, loaded on the first hash, verification or parameter check rather than at start
 * (a native module: ~4 MB of the idle server, bench/README.md). Synchronous, as parseOptions is.
 */
export const argon2Library = (): Argon2Library => (loaded ??= createRequire(import.meta.url)("@node-rs/argon2") as Argon2Library);
