import { describe, expect, it } from "vitest";
import { formatMetadata, METADATA_MAX_BYTES, parseMetadata } from "../../src/lib/metadata.js";

describe("metadata editor validation", () => {
  it("accepts a JSON object, and an empty editor as {}", () => {
    expect(parseMetadata('{"plan": "pro", "seats": 5, "tags": ["a"]}')).toEqual({ ok: true, value: { plan: "pro", seats: 5, tags: ["a"] } });
    expect(parseMetadata("  \n ")).toEqual({ ok: true, value: {} });
  });

  it("refuses text that is not JSON, saying why", () => {
    const result = parseMetadata("{plan: pro}");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^Not valid JSON: /);
  });

  it("refuses JSON that is not an object, naming what it is", () => {
    expect(parseMetadata("[1, 2]")).toEqual({ ok: false, error: "Metadata must be a JSON object ({…}), not an array." });
    expect(parseMetadata("null")).toEqual({ ok: false, error: "Metadata must be a JSON object ({…}), not null." });
    expect(parseMetadata('"text"')).toEqual({ ok: false, error: "Metadata must be a JSON object ({…}), not a string." });
    expect(parseMetadata("42")).toEqual({ ok: false, error: "Metadata must be a JSON object ({…}), not a number." });
  });

  it("refuses an object over the server's 32 KiB, counting UTF-8 bytes", () => {
    const atLimit = { k: "x".repeat(METADATA_MAX_BYTES - '{"k":""}'.length) };
    expect(parseMetadata(JSON.stringify(atLimit)).ok).toBe(true);
    // "é" is two bytes: the same character count is over the limit.
    const overInBytes = { k: "é".repeat(METADATA_MAX_BYTES - '{"k":""}'.length) };
    expect(parseMetadata(JSON.stringify(overInBytes))).toMatchObject({ ok: false, error: expect.stringMatching(/the limit is 32768\.$/) });
  });

  it("formats stored metadata so that it parses back to the same value", () => {
    const value = { nested: { a: [1, { b: null }] }, 'quoted "key"': "v" };
    expect(parseMetadata(formatMetadata(value))).toEqual({ ok: true, value });
  });
});
