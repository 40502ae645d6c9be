import { errors } from "../errors.js";

// Far deeper than any real metadata, and far below the depth at which JSON.stringify (used to
// store metadata and to fingerprint idempotent requests) overflows the stack.
export const MAX_BODY_DEPTH = 32;

/**
 * Whether JSON text nests arrays/objects deeper than `maxDepth`, read byte by byte without parsing.
 * JSON.parse of two million `[` blocks the event loop for seconds before any check could see the
 * result; this scan is linear and allocates nothing, so it runs before the parser. Brackets inside
 * strings do not count.
 */
export function exceedsJsonNesting(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c /* \ */) index++;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) depth--;
  }
  return false;
}

/** The 400 of a body (or a field's JSON text) nested too deeply. */
export const tooDeeplyNested = (field: string) => errors.validation_failed({ [field]: `must be nested at most ${MAX_BODY_DEPTH} levels deep` });

/**
 * JSON text from a client (a multipart field carrying metadata), parsed with the same defences as
 * JSON bodies: nesting scanned before parsing, and `__proto__` or `constructor.prototype` keys
 * refused (Fastify's onProtoPoisoning / onConstructorPoisoning "error"), so the value can be
 * merged or copied anywhere without reaching Object.prototype. Null when it is not valid JSON.
 */
export function parseUntrustedJson(text: string, field: string): { value: unknown } | null {
  if (exceedsJsonNesting(text, MAX_BODY_DEPTH)) throw tooDeeplyNested(field);
  let value: unknown;
  try {
    value = JSON.parse(text, function refusePoisoning(this: unknown, key, nested) {
      if (key === "__proto__" || (key === "constructor" && typeof nested === "object" && nested !== null && Object.hasOwn(nested, "prototype"))) {
        throw new PoisonedJson();
      }
      return nested;
    });
  } catch (error) {
    if (error instanceof PoisonedJson) throw errors.validation_failed({ [field]: "must not contain __proto__ or constructor.prototype keys" });
    return null;
  }
  return { value };
}

class PoisonedJson extends Error {}
