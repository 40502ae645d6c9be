import { createRequire } from "node:module";

/**
 * A value made on its first use and kept: how the server defers a module only some routes need, so
 * start-up and the idle server do not pay for it (bench/README.md, issue 14). The first caller
 * loads it; every later one gets the same value (for `import()`, the same promise).
 */
export function onFirstUse<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

const requireFromServer = createRequire(import.meta.url);

/**
 * A CommonJS package loaded synchronously on its first use, for callers that cannot await
 * (`import()` is the choice for the others). Resolved from the server's own dependencies.
 */
export function requireOnFirstUse<T>(specifier: string): () => T {
  return onFirstUse(() => requireFromServer(specifier) as T);
}
