import { describe, expect, it } from "vitest";
import {
  EMPTY_AUDIT_QUERY,
  auditApiPath,
  currentCursor,
  instantToLocalInput,
  localInputToInstant,
  nextAuditPage,
  parseAuditQuery,
  previousAuditPage,
  toAuditSearchParams,
  withFilters,
  type AuditQuery,
} from "../../src/lib/audit-query.js";

const parse = (search: string) => parseAuditQuery(new URLSearchParams(search));

describe("the audit log page's URL state", () => {
  it("reads a shared link, times as UTC instants", () => {
    expect(parse("?user=usr_1&action=user.update&since=2026-01-02T03:04:05Z&until=2026-02-01T00:00:00.000Z&after=aud_a,aud_b")).toEqual({
      userId: "usr_1",
      action: "user.update",
      since: "2026-01-02T03:04:05.000Z",
      until: "2026-02-01T00:00:00.000Z",
      cursors: ["aud_a", "aud_b"],
    });
  });

  it("drops times that do not parse and cursors that are not ids, and passes typed filters on for the API to judge", () => {
    expect(parse("?since=yesterday&until=&after=aud_a,<script>,,aud_b")).toEqual({ ...EMPTY_AUDIT_QUERY, cursors: ["aud_a", "aud_b"] });
    expect(parse("?user=%20not%20an%20id!%20").userId).toBe("not an id!");
    expect(parse(`?action=${"x".repeat(300)}`).action).toHaveLength(128);
    expect(parse("")).toEqual(EMPTY_AUDIT_QUERY);
  });

  it("writes only what is set, and reads back what it wrote", () => {
    expect(toAuditSearchParams(EMPTY_AUDIT_QUERY).toString()).toBe("");
    const query: AuditQuery = { userId: "usr_1", action: "email.make_primary", since: "2026-01-01T00:00:00.000Z", until: "", cursors: ["aud_1", "aud_2"] };
    expect(parseAuditQuery(toAuditSearchParams(query))).toEqual(query);
  });

  it("asks the API for the current page: the last cursor walked is starting_after", () => {
    const query: AuditQuery = { ...EMPTY_AUDIT_QUERY, userId: "usr_1", until: "2026-01-01T00:00:00.000Z", cursors: ["aud_1", "aud_2"] };
    expect(auditApiPath({ ...query, after: currentCursor(query) })).toBe(
      "/audit-logs?limit=25&user_id=usr_1&until=2026-01-01T00%3A00%3A00.000Z&starting_after=aud_2",
    );
    expect(auditApiPath({ ...EMPTY_AUDIT_QUERY, after: currentCursor(EMPTY_AUDIT_QUERY) }, 10)).toBe("/audit-logs?limit=10");
  });

  it("pages forward by the last entry's id and back by dropping it; new filters start at the first page", () => {
    const second = nextAuditPage(EMPTY_AUDIT_QUERY, "aud_25");
    const third = nextAuditPage(second, "aud_50");
    expect(third.cursors).toEqual(["aud_25", "aud_50"]);
    expect(previousAuditPage(third)).toEqual(second);
    expect(previousAuditPage(EMPTY_AUDIT_QUERY)).toEqual(EMPTY_AUDIT_QUERY);
    expect(withFilters(third, { action: "user.delete" })).toEqual({ ...EMPTY_AUDIT_QUERY, action: "user.delete" });
  });

  it("turns the datetime-local input's wall time into an instant and back", () => {
    const instant = localInputToInstant("2026-03-04T05:06");
    expect(instant).toBe(new Date(2026, 2, 4, 5, 6).toISOString());
    expect(instantToLocalInput(instant)).toBe("2026-03-04T05:06");
    expect(localInputToInstant("")).toBe("");
    expect(localInputToInstant("not a time")).toBe("");
    expect(instantToLocalInput("")).toBe("");
  });
});
