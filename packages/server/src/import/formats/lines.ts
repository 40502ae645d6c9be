/** Lines of a text stream (LF or CRLF), one at a time; only the current line is held. */
export async function* readLines(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<{ line: string; lineNumber: number }> {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  let lineNumber = 0;
  for await (const chunk of chunks) {
    const text = pending + (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    let start = 0;
    for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
      lineNumber++;
      yield { line: cleanLine(text.slice(start, newline), lineNumber), lineNumber };
      start = newline + 1;
    }
    pending = text.slice(start);
  }
  pending += decoder.decode();
  if (pending.length > 0) yield { line: cleanLine(pending, lineNumber + 1), lineNumber: lineNumber + 1 };
}

const cleanLine = (line: string, lineNumber: number) => {
  const withoutCr = line.endsWith("\r") ? line.slice(0, -1) : line;
  return lineNumber === 1 && withoutCr.charCodeAt(0) === 0xfeff ? withoutCr.slice(1) : withoutCr;
};
