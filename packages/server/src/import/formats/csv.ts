/**
 * A streaming RFC 4180 reader: fields separated by commas, records by CRLF or LF; a field in
 * double quotes may hold commas, line breaks and doubled quotes (""). Chunks are consumed as
 * they arrive, so only the record being read is ever in memory.
 */
export async function* readCsvRecords(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder("utf-8");
  let record: string[] = [];
  let field = "";
  let inQuotes = false;
  // A quote inside a quoted field: either the first of a doubled quote or the field's end.
  let quotePending = false;
  let fieldStarted = false;
  let isFirstChunk = true;
  let lastWasCarriageReturn = false;

  const endField = () => {
    record.push(field);
    field = "";
    fieldStarted = false;
  };

  for await (const chunk of chunks) {
    let text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    if (isFirstChunk) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      isFirstChunk = text.length === 0;
    }
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      const carriageReturnBefore = lastWasCarriageReturn;
      lastWasCarriageReturn = false;
      if (inQuotes) {
        if (quotePending) {
          quotePending = false;
          if (char === '"') {
            field += '"';
            continue;
          }
          inQuotes = false;
          // fall through: the character after a closing quote is read as outside quotes
        } else if (char === '"') {
          quotePending = true;
          continue;
        } else {
          field += char;
          continue;
        }
      }
      if (char === ",") endField();
      else if (char === "\n") {
        // The LF of a CRLF ends the record the CR already ended.
        if (carriageReturnBefore) continue;
        endField();
        yield record;
        record = [];
      } else if (char === "\r") {
        endField();
        yield record;
        record = [];
        lastWasCarriageReturn = true;
      } else if (char === '"' && !fieldStarted && field === "") {
        inQuotes = true;
        fieldStarted = true;
      } else {
        field += char;
        fieldStarted = true;
      }
    }
  }
  const tail = decoder.decode();
  if (tail) field += tail;
  if (inQuotes && !quotePending) throw new CsvError("the file ends inside a quoted field");
  // A last record without a line break; a file ending in a line break has none pending.
  if (field !== "" || fieldStarted || record.length > 0) {
    endField();
    yield record;
  }
}

export class CsvError extends Error {}

/** Records as objects keyed by the header row; blank lines are skipped. Yields the 1-based line of each record's start too. */
export async function* readCsvObjects(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<{ row: Record<string, string>; recordNumber: number }> {
  let header: string[] | null = null;
  let recordNumber = 0;
  for await (const record of readCsvRecords(chunks)) {
    if (record.length === 1 && record[0] === "") continue;
    if (!header) {
      header = record.map((name) => name.trim());
      continue;
    }
    recordNumber++;
    const row: Record<string, string> = {};
    header.forEach((name, index) => (row[name] = record[index] ?? ""));
    yield { row, recordNumber };
  }
}
