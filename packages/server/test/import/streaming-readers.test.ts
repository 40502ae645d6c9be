import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/import/formats/csv.js";
import { readJsonArrayElements } from "../../src/import/formats/json-array.js";
import { readLines } from "../../src/import/formats/lines.js";

/** The text cut into chunks at the given offsets: a reader must not care where a chunk ends. */
async function* chunked(text: string, cuts: number[]): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, "utf8");
  let start = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

/** RFC 4180 writing, the reference the reader is checked against. */
const toCsv = (records: string[][], lineBreak: string) =>
  records
    .map((record) => record.map((field) => (/[",\r\n]/.test(field) || field === "" ? `"${field.replaceAll('"', '""')}"` : field)).join(","))
    .join(lineBreak) + lineBreak;

describe("CSV reader (RFC 4180)", () => {
  it("reads quotes, doubled quotes, CRLF and line breaks inside quotes", async () => {
    const text = 'id,name,note\r\n1,"Lovelace, Ada","said ""hi""\r\nthen left"\r\n2,Grace,\r\n3,"é ü",x';
    expect(await collect(readCsvRecords(chunked(text, [])))).toEqual([
      ["id", "name", "note"],
      ["1", "Lovelace, Ada", 'said "hi"\r\nthen left'],
      ["2", "Grace", ""],
      ["3", "é ü", "x"],
    ]);
  });

  it("drops a byte-order mark and reads LF-only files", async () => {
    expect(await collect(readCsvRecords(chunked("\uFEFFa,b\nc,d\n", [1, 2, 3])))).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  it("refuses a file that ends inside quotes", async () => {
    await expect(collect(readCsvRecords(chunked('a,"open\n', [])))).rejects.toThrow(/inside a quoted field/);
  });

  it("reads back whatever a writer wrote, however the bytes are chunked", async () => {
    const field = fc.string({ unit: fc.constantFrom("a", "é", ",", '"', "\n", "\r\n", " ", "|", "😀"), maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom("\n", "\r\n"),
        fc.array(fc.nat({ max: 200 }), { maxLength: 6 }),
        async (records, lineBreak, cuts) => {
          expect(await collect(readCsvRecords(chunked(toCsv(records, lineBreak), cuts)))).toEqual(records);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("JSON array reader", () => {
  it("streams the elements of a top-level array and of the array under a key", async () => {
    const users = [{ a: 1, s: 'x]}"{[' }, { nested: { list: [1, [2, { b: "\\" }]] } }, { u: "\u00e9\ud83d\ude00" }];
    const top = await collect(readJsonArrayElements(chunked(JSON.stringify(users, null, 2), [5, 17, 40])));
    expect(top.map((e) => e.value)).toEqual(users);
    const keyed = JSON.stringify({ kind: "export", skip: { users: [0] }, 'us\\"ers': [9], users, after: true });
    const under = await collect(readJsonArrayElements(chunked(keyed, [3, 33]), "users"));
    expect(under.map((e) => e.value)).toEqual(users);
    expect(under.map((e) => e.elementNumber)).toEqual([1, 2, 3]);
  });

  it("reads scalar elements and empty arrays", async () => {
    expect((await collect(readJsonArrayElements(chunked('[1, "two", null, true, 2.5e3]', [4])))).map((e) => e.value)).toEqual([1, "two", null, true, 2500]);
    expect(await collect(readJsonArrayElements(chunked('{"users": []}', []), "users"))).toEqual([]);
  });

  it("agrees with JSON.parse on any array, however the bytes are chunked", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }), fc.array(fc.nat({ max: 300 }), { maxLength: 6 }), async (values, cuts) => {
        const text = JSON.stringify({ users: values });
        const read = await collect(readJsonArrayElements(chunked(text, cuts), "users"));
        expect(read.map((e) => e.value)).toEqual(JSON.parse(text).users);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a truncated file and the wrong top-level shape", async () => {
    await expect(collect(readJsonArrayElements(chunked('{"users": [{"a": 1},', []), "users"))).rejects.toThrow(/ends inside/);
    await expect(collect(readJsonArrayElements(chunked("[1, 2]", []), "users"))).rejects.toThrow(/JSON object/);
  });
});

describe("line reader", () => {
  it("splits LF and CRLF lines across chunks and keeps a last line without a break", async () => {
    const lines = await collect(readLines(chunked('{"a":1}\r\n\n{"b":"é"}\nlast', [3, 9, 12])));
    expect(lines).toEqual([
      { line: '{"a":1}', lineNumber: 1 },
      { line: "", lineNumber: 2 },
      { line: '{"b":"é"}', lineNumber: 3 },
      { line: "last", lineNumber: 4 },
    ]);
  });
});
