/**
 * Streams the elements of a JSON array out of a file that may be far larger than memory: either
 * a top-level array (`[{…}, {…}]`) or the array under one key of a top-level object
 * (`{"users": [{…}, …]}`, as `firebase auth:export` writes). Only one element's text is held at a
 * time; each is handed to JSON.parse whole, so values are exactly what JSON.parse gives.
 */
export async function* readJsonArrayElements(chunks: AsyncIterable<string | Buffer>, key?: string): AsyncGenerator<{ value: unknown; elementNumber: number }> {
  const decoder = new TextDecoder("utf-8");
  const scanner = new ArrayScanner(key);
  for await (const chunk of chunks) {
    for (const text of scanner.feed(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }))) {
      yield { value: parseElement(text, scanner.elementCount), elementNumber: scanner.elementCount };
    }
  }
  for (const text of scanner.feed(decoder.decode())) yield { value: parseElement(text, scanner.elementCount), elementNumber: scanner.elementCount };
  scanner.finish();
}

export class JsonStreamError extends Error {}

function parseElement(text: string, elementNumber: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new JsonStreamError(`element ${elementNumber} is not valid JSON: ${(error as Error).message}`);
  }
}

type State =
  | "start" // before the top-level value
  | "find-key" // inside the top-level object, looking for `key`
  | "array" // inside the target array, between elements
  | "element" // inside an element
  | "done";

/** A character-level scanner: tracks strings, escapes and nesting depth, never builds values itself. */
class ArrayScanner {
  private state: State = "start";
  private depth = 0; // nesting depth inside the current element, or of skipped values while finding the key
  private inString = false;
  private escaped = false;
  private element = "";
  private keyText: string | null = null; // the string being read at depth 1 of the top-level object
  private lastKey: string | null = null;
  private expectValue = false; // after "key": at depth 1
  elementCount = 0;

  constructor(private readonly key: string | undefined) {}

  *feed(text: string): Generator<string> {
    let segmentStart = -1;
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      switch (this.state) {
        case "start":
          if (char === "\uFEFF" || /\s/.test(char)) break;
          if (char === "[" && this.key === undefined) this.state = "array";
          else if (char === "{" && this.key !== undefined) this.state = "find-key";
          else throw new JsonStreamError(this.key === undefined ? "expected a JSON array" : `expected a JSON object with a "${this.key}" array`);
          break;
        case "find-key":
          this.scanForKey(char);
          break;
        case "array":
          if (/\s/.test(char) || char === ",") break;
          if (char === "]") {
            this.state = "done";
            break;
          }
          this.state = "element";
          this.depth = 0;
          this.inString = false;
          this.escaped = false;
          segmentStart = i;
          this.element = "";
          if (this.consumeElementChar(char)) {
            yield this.takeElement(text, segmentStart, i);
            segmentStart = -1;
          }
          break;
        case "element":
          if (segmentStart === -1) segmentStart = i;
          if (this.consumeElementChar(char)) {
            yield this.takeElement(text, segmentStart, i);
            segmentStart = -1;
          } else if (this.depth === 0 && !this.inString && (char === "," || char === "]")) {
            // A scalar element (number, true, null) ends at the delimiter, which is not part of it.
            const value = (this.element + text.slice(segmentStart, i)).trim();
            this.element = "";
            segmentStart = -1;
            this.elementCount++;
            this.state = char === "]" ? "done" : "array";
            yield value;
          }
          break;
        case "done":
          break;
      }
    }
    if (this.state === "element" && segmentStart !== -1) this.element += text.slice(segmentStart);
  }

  /** True when this character closes the element (its object, array or string). */
  private consumeElementChar(char: string): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (char === "\\") this.escaped = true;
      else if (char === '"') {
        this.inString = false;
        return this.depth === 0;
      }
      return false;
    }
    if (char === '"') this.inString = true;
    else if (char === "{" || char === "[") this.depth++;
    else if (char === "}" || char === "]") {
      if (this.depth === 0) return false;
      this.depth--;
      return this.depth === 0;
    }
    return false;
  }

  private takeElement(text: string, start: number, end: number): string {
    const value = this.element + text.slice(start, end + 1);
    this.element = "";
    this.elementCount++;
    this.state = "array";
    return value;
  }

  /** At depth 1 of the top-level object: reads keys, skips other values, enters the array under `key`. */
  private scanForKey(char: string): void {
    if (this.inString) {
      if (this.escaped) {
        this.escaped = false;
        if (this.keyText !== null) this.keyText += char;
      } else if (char === "\\") {
        this.escaped = true;
        if (this.keyText !== null) this.keyText += char;
      } else if (char === '"') {
        this.inString = false;
        if (this.keyText !== null) {
          this.lastKey = JSON.parse(`"${this.keyText}"`) as string;
          this.keyText = null;
        }
      } else if (this.keyText !== null) this.keyText += char;
      return;
    }
    if (char === '"') {
      this.inString = true;
      if (this.depth === 0 && !this.expectValue) this.keyText = "";
      return;
    }
    if (this.depth === 0) {
      if (char === ":") this.expectValue = true;
      else if (char === ",") {
        this.expectValue = false;
        this.lastKey = null;
      } else if (char === "[" && this.expectValue && this.lastKey === this.key) {
        this.state = "array";
        this.expectValue = false;
      } else if (char === "{" || char === "[") this.depth++;
      else if (char === "}") this.state = "done";
      return;
    }
    if (char === "{" || char === "[") this.depth++;
    else if (char === "}" || char === "]") this.depth--;
  }

  finish(): void {
    if (this.state === "element" || this.state === "array") throw new JsonStreamError("the file ends inside the array");
    if (this.state === "start") throw new JsonStreamError("the file is empty");
  }
}
