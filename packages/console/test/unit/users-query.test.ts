import { describe, expect, it } from "vitest";
import { DEFAULT_USERS_QUERY, nextSort, pageSummary, parseUsersQuery, toSearchParams, usersApiPath, type UsersQuery } from "../../src/lib/users-query.js";

const parse = (search: string) => parseUsersQuery(new URLSearchParams(search));

describe("the users page's URL state", () => {
  it("reads a shared link", () => {
    expect(parse("?q=ada&sort=email&order=asc&page=3&size=50")).toEqual({ search: "ada", sortKey: "email", sortOrder: "asc", page: 3, pageSize: 50 });
  });

  it("falls back to the default for anything malformed, field by field", () => {
    expect(parse("")).toEqual(DEFAULT_USERS_QUERY);
    expect(parse("?sort=password_hash&order=sideways&page=-2&size=7")).toEqual(DEFAULT_USERS_QUERY);
    expect(parse("?page=1.5").page).toBe(1);
    expect(parse("?page=abc").page).toBe(1);
    expect(parse("?page=99999999").page).toBe(1);
    expect(parse("?sort=username").sortKey).toBe("username");
    expect(parse(`?q=${"x".repeat(300)}`).search).toHaveLength(256);
  });

  it("writes only what differs from the default, and reads back what it wrote", () => {
    expect(toSearchParams(DEFAULT_USERS_QUERY).toString()).toBe("");
    const query: UsersQuery = { search: "a b&c", sortKey: "phone_number", sortOrder: "desc", page: 2, pageSize: 10 };
    const written = toSearchParams(query);
    expect(written.toString()).toBe("q=a+b%26c&sort=phone_number&order=desc&page=2&size=10");
    expect(parseUsersQuery(written)).toEqual(query);
  });

  it("asks the API for the page's slice, trimming the search and leaving an empty one out", () => {
    expect(usersApiPath({ ...DEFAULT_USERS_QUERY, page: 3, pageSize: 25 })).toBe("/users?limit=25&offset=50&sort_key=created_at&sort_order=desc");
    expect(usersApiPath({ ...DEFAULT_USERS_QUERY, search: "  ada  " })).toBe("/users?limit=25&offset=0&sort_key=created_at&sort_order=desc&search=ada");
    expect(usersApiPath({ ...DEFAULT_USERS_QUERY, search: "   " })).not.toContain("search");
  });

  it("sorts a new column ascending, flips the same one, and goes back to page 1", () => {
    const onPage4 = { ...DEFAULT_USERS_QUERY, page: 4 };
    expect(nextSort(onPage4, "username")).toMatchObject({ sortKey: "username", sortOrder: "asc", page: 1 });
    expect(nextSort({ ...onPage4, sortKey: "username", sortOrder: "asc" }, "username").sortOrder).toBe("desc");
    expect(nextSort({ ...onPage4, sortKey: "username", sortOrder: "desc" }, "username").sortOrder).toBe("asc");
  });

  it("summarises a page: first and last row shown, and the page count", () => {
    expect(pageSummary(0, DEFAULT_USERS_QUERY)).toEqual({ first: 0, last: 0, pageCount: 1 });
    expect(pageSummary(60, { ...DEFAULT_USERS_QUERY, page: 1 })).toEqual({ first: 1, last: 25, pageCount: 3 });
    expect(pageSummary(60, { ...DEFAULT_USERS_QUERY, page: 3 })).toEqual({ first: 51, last: 60, pageCount: 3 });
    expect(pageSummary(50, { ...DEFAULT_USERS_QUERY, page: 2 })).toEqual({ first: 26, last: 50, pageCount: 2 });
  });
});
