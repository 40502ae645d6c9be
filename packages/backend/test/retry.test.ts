import { describe, expect, it } from "vitest";
import { isSafeToRepeat, parseRetryAfterMs, retryDelayMs, shouldRetry } from "../src/core/retry.js";

const headersOf = (entries: Record<string, string>) => new Headers(entries);

describe("isSafeToRepeat", () => {
  it("treats GET and DELETE as always safe", () => {
    expect(isSafeToRepeat("GET")).toBe(true);
    expect(isSafeToRepeat("DELETE")).toBe(true);
    expect(isSafeToRepeat("get")).toBe(true);
  });

  it("treats POST and PATCH as unsafe unless the call says otherwise", () => {
    expect(isSafeToRepeat("POST")).toBe(false);
    expect(isSafeToRepeat("PATCH")).toBe(false);
    expect(isSafeToRepeat("POST", { isSafeToRepeat: true })).toBe(true);
    expect(isSafeToRepeat("PATCH", { isSafeToRepeat: true })).toBe(true);
  });

  it("treats a POST with an idempotency key as safe", () => {
    expect(isSafeToRepeat("POST", { idempotencyKey: "key-1" })).toBe(true);
  });
});

describe("shouldRetry", () => {
  it.each([502, 503, 504])("retries %i when the call is safe to repeat", (status) => {
    expect(shouldRetry(status, true)).toBe(true);
    expect(shouldRetry(status, false)).toBe(false);
  });

  it("retries 429 always: the rate limiter answered before the request ran", () => {
    expect(shouldRetry(429, true)).toBe(true);
    expect(shouldRetry(429, false)).toBe(true);
  });

  it("retries a missing answer only when safe to repeat", () => {
    expect(shouldRetry(null, true)).toBe(true);
    expect(shouldRetry(null, false)).toBe(false);
  });

  it.each([400, 401, 403, 404, 409, 422, 500, 501])("never retries %i", (status) => {
    expect(shouldRetry(status, true)).toBe(false);
  });
});

describe("parseRetryAfterMs", () => {
  it("reads seconds", () => {
    expect(parseRetryAfterMs(headersOf({ "retry-after": "3" }))).toBe(3000);
    expect(parseRetryAfterMs(headersOf({ "retry-after": "0.5" }))).toBe(500);
  });

  it("prefers retry-after-ms", () => {
    expect(parseRetryAfterMs(headersOf({ "retry-after-ms": "250", "retry-after": "3" }))).toBe(250);
  });

  it("reads an HTTP date relative to now", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfterMs(headersOf({ "retry-after": "Wed, 01 Jan 2025 00:00:10 GMT" }), now)).toBe(10_000);
    expect(parseRetryAfterMs(headersOf({ "retry-after": "Tue, 31 Dec 2024 23:59:00 GMT" }), now)).toBe(0);
  });

  it("returns null when absent or unreadable", () => {
    expect(parseRetryAfterMs(headersOf({}))).toBeNull();
    expect(parseRetryAfterMs(headersOf({ "retry-after": "soon" }))).toBeNull();
    expect(parseRetryAfterMs(headersOf({ "retry-after": "-5" }))).toBeNull();
  });
});

describe("retryDelayMs", () => {
  const noJitter = () => 0;
  const fullJitter = () => 1;

  it("doubles from 0.5 s up to 8 s", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((index) => retryDelayMs(index, null, noJitter))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("takes off at most 25 % as jitter", () => {
    expect(retryDelayMs(0, null, fullJitter)).toBe(375);
    expect(retryDelayMs(4, null, fullJitter)).toBe(6000);
    for (let i = 0; i < 100; i++) {
      const delay = retryDelayMs(2, null) ?? -1;
      expect(delay).toBeGreaterThan(1500 - 1e-9);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });

  it("follows the server's Retry-After exactly", () => {
    expect(retryDelayMs(0, 2000, fullJitter)).toBe(2000);
    expect(retryDelayMs(3, 0, fullJitter)).toBe(0);
    expect(retryDelayMs(0, 60_000)).toBe(60_000);
  });

  it("gives up when the server asks for more than a minute", () => {
    expect(retryDelayMs(0, 60_001)).toBeNull();
  });
});
