import { WachtError } from "./errors.js";

/**
 * Tag for request paths: path`/users/${userId}/emails/${emailId}`.
 * Every value is percent-encoded, so an id containing `/`, `?` or `#` stays one
 * segment; `.`, `..` and empty values are refused because the URL parser would
 * collapse them and point the request at a different route.
 */
export function path(statics: TemplateStringsArray, ...params: readonly (string | number)[]): string {
  let result = statics[0] ?? "";
  for (let index = 0; index < params.length; index++) {
    result += encodePathParam(params[index]) + (statics[index + 1] ?? "");
  }
  return result;
}

function encodePathParam(value: unknown): string {
  // Plain-JS callers can pass undefined (`getUser(user.uid)`); /users/undefined would be a confusing 404.
  if (typeof value !== "string" && typeof value !== "number") {
    throw new WachtError(`Expected an id string in the request path, got ${value === null ? "null" : typeof value}`, undefined, undefined, {
      code: "invalid_path_parameter",
    });
  }
  const text = String(value);
  if (text === "" || text === "." || text === "..") {
    throw new WachtError(`Invalid id in the request path: ${JSON.stringify(text)}`, undefined, undefined, {
      code: "invalid_path_parameter",
    });
  }
  return encodeURIComponent(text);
}
