import { onFirstUse } from "../../on-first-use.js";
import type { StoredHashFormat } from "./format.js";

/** Loaded on the first imported bcrypt digest checked: most servers never see one (idle memory, bench/README.md). */
export const bcryptLibrary = onFirstUse(() => import("@node-rs/bcrypt"));

/**
 * bcrypt `$2a$`, `$2b$` and `$2y$`: for a correct implementation the three give the same hash
 * (they mark fixes to other libraries' bugs). `$2x$` marks hashes made by crypt_blowfish's
 * pre-2011 sign-extension bug and would need the bug emulated, so it is refused.
 * @node-rs/bcrypt runs on libuv's thread pool.
 */
export const MAX_IMPORTED_BCRYPT_COST = 12;

const BCRYPT_PATTERN = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export const bcrypt: StoredHashFormat = {
  name: "bcrypt",
  understands: (stored) => /^\$2[abxy]?\$/.test(stored),
  check(stored) {
    if (stored.startsWith("$2x$")) return "must not be a $2x$ digest (made by a buggy bcrypt); use $2a$, $2b$ or $2y$";
    const match = BCRYPT_PATTERN.exec(stored);
    if (!match) return "must be a bcrypt digest such as $2b$10$ followed by 53 characters";
    const cost = Number(match[1]);
    if (cost < 4) return "must have a bcrypt cost of at least 4";
    if (cost > MAX_IMPORTED_BCRYPT_COST) return `must have a bcrypt cost of at most ${MAX_IMPORTED_BCRYPT_COST}`;
    return null;
  },
  verify: async (stored, password) => (await bcryptLibrary()).verify(password, stored),
};
