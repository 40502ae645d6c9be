import { readLines } from "./lines.js";
import { fileChunks, type BytesRead, type FormatReader } from "./types.js";

/** Our own JSONL (what `wacht export` writes): one import item per line, taken as it is. */
export async function* readWachtJsonl(path: string, options: { onBytesRead?: BytesRead } = {}): FormatReader {
  for await (const { line, lineNumber } of readLines(fileChunks(path, options.onBytesRead))) {
    if (line.trim() === "") continue;
    const location = `line ${lineNumber}`;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (error) {
      yield { location, reason: `not valid JSON: ${(error as Error).message}`, dropped: [] };
      continue;
    }
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      yield { location, reason: "not a JSON object", dropped: [] };
      continue;
    }
    yield { location, item: item as never, dropped: [] };
  }
}
