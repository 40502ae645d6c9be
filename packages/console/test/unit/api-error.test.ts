import { describe, expect, it } from "vitest";
import { ApiError, apiErrorOf, formErrorsOf, messageOf } from "../../src/lib/api-error.js";

describe("API errors as the console shows them", () => {
  it("reads the server's envelope: message, code and per-field details", () => {
    const error = apiErrorOf(400, {
      message: "email_address: must be an email",
      code: "validation_failed",
      details: { email_address: "must be an email" },
      errors: [{ message: "x", code: 400 }],
    });
    expect([error.status, error.code, error.message, error.details]).toEqual([
      400,
      "validation_failed",
      "email_address: must be an email",
      { email_address: "must be an email" },
    ]);
  });

  it("still says something for a body that is not our envelope", () => {
    expect(apiErrorOf(502, "<html>Bad gateway</html>").message).toBe("The server answered 502 without an explanation.");
    expect(apiErrorOf(500, { message: "" }).code).toBe("http_500");
    expect(apiErrorOf(400, { message: "m", details: { a: "rule", b: 7 } }).details).toEqual({ a: "rule" });
    expect(apiErrorOf(400, { message: "m", details: null }).details).toEqual({});
  });

  it("puts a 400's field rules on the form's fields", () => {
    const error = new ApiError(400, "validation_failed", "first_name: too long; password: too short", { first_name: "too long", password: "too short" });
    expect(formErrorsOf(error, ["first_name", "password"])).toEqual({ fields: { first_name: "too long", password: "too short" }, general: null });
  });

  it("puts a 409 on the field it names, through an alias when the form calls it otherwise", () => {
    const taken = new ApiError(409, "email_taken", "That email address is already in use by another user.", {
      email_address: "That email address is already in use by another user.",
    });
    expect(formErrorsOf(taken, ["email"], { email_address: "email" })).toEqual({
      fields: { email: "That email address is already in use by another user." },
      general: null,
    });
  });

  it("never drops what the API said: rules for fields the form lacks, or no details at all, become the general message", () => {
    const mixed = new ApiError(400, "validation_failed", "whole message", { first_name: "too long", password_hasher: "unknown" });
    expect(formErrorsOf(mixed, ["first_name"])).toEqual({ fields: { first_name: "too long" }, general: "password_hasher: unknown" });
    const bare = new ApiError(409, "already_exists", "A record with these values already exists.");
    expect(formErrorsOf(bare, ["first_name"])).toEqual({ fields: {}, general: "A record with these values already exists." });
    const onlyUnknown = new ApiError(400, "validation_failed", "whole message", { other: "bad" });
    expect(formErrorsOf(onlyUnknown, ["first_name"])).toEqual({ fields: {}, general: "whole message" });
    expect(formErrorsOf(new TypeError("Failed to fetch"), ["first_name"])).toEqual({ fields: {}, general: "The request failed: Failed to fetch" });
  });

  it("shows the API's message for an ApiError and the network's words otherwise", () => {
    expect(messageOf(new ApiError(404, "user_not_found", "No user has that id."))).toBe("No user has that id.");
    expect(messageOf("weird")).toBe("The request failed.");
  });
});
