import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toNullableTimestamp, toTimestamp } from "../../src/http/common.schemas.js";

/** toTimestamp writes times without a Date per call (http/common.schemas.ts): it must write exactly what toISOString writes. */
describe("toTimestamp", () => {
  const iso = (ms: number) => new Date(ms).toISOString();

  it("writes what toISOString writes for any millisecond from 1970 to the end of year 9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => toTimestamp(ms) === iso(ms)),
      { numRuns: 20_000 },
    );
  });

  it("gets the edges right: the epoch, midnights, leap days, the last millisecond of 9999", () => {
    const edges = [
      0,
      1,
      999,
      1000,
      86_399_999,
      86_400_000,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 1, 29, 0, 0, 0, 0),
      Date.UTC(2026, 11, 1, 9, 5, 7, 3),
      Date.UTC(2999, 11, 31, 23, 59, 59, 999),
      253_402_300_799_999,
    ];
    for (const ms of edges) expect(toTimestamp(ms)).toBe(iso(ms));
  });

  it("leaves times outside its range to toISOString, and refuses what toISOString refuses", () => {
    for (const ms of [-1, -86_400_001, Date.UTC(1969, 6, 20, 20, 17), 253_402_300_800_000, 8.64e15, 1.5]) expect(toTimestamp(ms)).toBe(iso(ms));
    expect(() => toTimestamp(Number.NaN)).toThrow(RangeError);
    expect(toNullableTimestamp(null)).toBeNull();
    expect(toNullableTimestamp(86_400_000)).toBe("1970-01-02T00:00:00.000Z");
  });

  it("stays right across more distinct days than it keeps", () => {
    for (let day = 0; day < 10_000; day++) {
      const ms = day * 86_400_000 + ((day * 7919) % 86_400_000);
      expect(toTimestamp(ms)).toBe(iso(ms));
    }
  });
});
