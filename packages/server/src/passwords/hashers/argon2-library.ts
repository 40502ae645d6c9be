import { requireOnFirstUse } from "../../on-first-use.js";

/**
 * @node-rs/argon2, loaded on the first hash, verification or parameter check rather than at start
 * (a native module: ~4 MB of the idle server, bench/README.md). Synchronous, as parseOptions is.
 */
export const argon2Library = requireOnFirstUse<typeof import("@node-rs/argon2")>("@node-rs/argon2");
