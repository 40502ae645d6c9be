import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConflictError, NotFoundError, ValidationError, errors, listErrorCodes } from "../../src/errors.js";
// @ts-expect-error: a plain .mjs script without type declarations
import { ERROR_CODES_PATH, renderErrorCodes } from "../../scripts/generate-error-codes.mjs";

describe("the error catalogue (src/errors.ts)", () => {
  it("gives each code one class, one status and its message", () => {
    const notFound = errors.user_not_found("usr_1");
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({ statusCode: 404, code: "user_not_found", message: "No user with id 'usr_1'." });
    expect(errors.user_not_found.statusCode).toBe(404);
    expect(errors.primary_must_be_verified("email address")).toBeInstanceOf(ValidationError);
    expect(errors.email_taken("email").details).toEqual({ email: "That email address is already in use by another user." });
    expect(errors.email_taken()).toBeInstanceOf(ConflictError);
    expect(errors.validation_failed({ a: "is required", b: "must be a string" })).toMatchObject({
      statusCode: 400,
      message: "a: is required; b: must be a string",
    });
  });

  it("spells every code in snake_case, once", () => {
    const codes = listErrorCodes().map(({ code }) => code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it("is what packages/backend/src/core/error-codes.ts lists (run `npm run build -w @wacht/server` when this fails)", () => {
    expect(readFileSync(ERROR_CODES_PATH, "utf8")).toBe(renderErrorCodes(listErrorCodes()));
  });
});
