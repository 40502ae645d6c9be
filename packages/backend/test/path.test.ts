import { describe, expect, it } from "vitest";
import { WachtError } from "../src/core/errors.js";
import { path } from "../src/core/path.js";

describe("path", () => {
  it("leaves ordinary ids as they are", () => {
    expect(path`/users/${"usr_abc123"}/emails/${"eml_1"}`).toBe("/users/usr_abc123/emails/eml_1");
  });

  it("percent-encodes so an id stays one segment", () => {
    expect(path`/users/${"a/b?c#d"}/details`).toBe("/users/a%2Fb%3Fc%23d/details");
    expect(path`/users/${"..%2F"}`).toBe("/users/..%252F");
    expect(path`/users/${"ü ser"}`).toBe("/users/%C3%BC%20ser");
  });

  it.each([".", "..", ""])("rejects %j, which would change the route", (value) => {
    expect(() => path`/users/${value}/details`).toThrow(WachtError);
  });

  it("rejects a missing id from plain JavaScript callers", () => {
    const missing = undefined as unknown as string;
    expect(() => path`/users/${missing}`).toThrow(/got undefined/);
  });
});
