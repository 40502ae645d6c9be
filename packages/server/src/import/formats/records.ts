import { readCsvObjects } from "./csv.js";
import { readJsonArrayElements } from "./json-array.js";
import { readLines } from "./lines.js";
import { fileChunks, type BytesRead } from "./types.js";

/**
 * Rows of a table exported as CSV (with a header row), a JSON array, or NDJSON (one object per
 * line, as `COPY (SELECT row_to_json(u) …)` writes): `.csv` files are CSV; for the rest, the
 * first character tells an array from NDJSON. Streamed in every case.
 */
export async function* readTableRows(
  path: string,
  onBytesRead?: BytesRead,
): AsyncGenerator<{ row: Record<string, unknown> | null; location: string; reason?: string }> {
  if (/\.csv$/i.test(path)) {
    for await (const { row, recordNumber } of readCsvObjects(fileChunks(path, onBytesRead))) yield { row: nullEmpty(row), location: `row ${recordNumber}` };
    return;
  }
  if ((await firstCharacter(path)) === "[") {
    for await (const { value, elementNumber } of readJsonArrayElements(fileChunks(path, onBytesRead))) {
      const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
      yield isObject
        ? { row: value as Record<string, unknown>, location: `element ${elementNumber}` }
        : { row: null, location: `element ${elementNumber}`, reason: "not a JSON object" };
    }
    return;
  }
  for await (const { line, lineNumber } of readLines(fileChunks(path, onBytesRead))) {
    if (line.trim() === "") continue;
    try {
      yield { row: JSON.parse(line) as Record<string, unknown>, location: `line ${lineNumber}` };
    } catch (error) {
      yield { row: null, location: `line ${lineNumber}`, reason: `not valid JSON: ${(error as Error).message}` };
    }
  }
}

/** psql and SQLite write NULL as an empty CSV field. */
const nullEmpty = (row: Record<string, string>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === "" ? null : value]));

async function firstCharacter(path: string): Promise<string | undefined> {
  for await (const chunk of fileChunks(path)) {
    const match = /[^\s\uFEFF]/.exec(chunk.toString("utf8"));
    if (match) return match[0];
  }
  return undefined;
}
