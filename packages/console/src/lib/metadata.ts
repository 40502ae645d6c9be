/** The server refuses metadata over 32 KiB (users.schemas.ts); check before sending. */
export const METADATA_MAX_BYTES = 32 * 1024;

export type MetadataParse = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/** Parses the text of a metadata editor: a JSON object (not an array, string or null), at most 32 KiB. */
export function parseMetadata(text: string): MetadataParse {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    return { ok: false, error: `Metadata must be a JSON object ({…}), not ${kind}.` };
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > METADATA_MAX_BYTES) return { ok: false, error: `Metadata is ${bytes} bytes; the limit is ${METADATA_MAX_BYTES}.` };
  return { ok: true, value: value as Record<string, unknown> };
}

/** The editor's starting text for stored metadata. */
export const formatMetadata = (value: Record<string, unknown>) => JSON.stringify(value, null, 2);
