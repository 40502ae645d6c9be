/**
 * The audit log page's state, as kept in its URL: the filters (user, action, time range) and the
 * page, as the cursors that led to it. The API pages forward only (starting_after the last entry
 * of the previous page), so the URL keeps every cursor walked through: Previous drops the last.
 */
export interface AuditQuery {
  userId: string;
  action: string;
  /** RFC 3339 instants (UTC), or "" for no bound. */
  since: string;
  until: string;
  /** The starting_after of each page after the first, oldest first; the last is the current page's. */
  cursors: string[];
}

export const AUDIT_PAGE_SIZE = 25;
export const EMPTY_AUDIT_QUERY: AuditQuery = { userId: "", action: "", since: "", until: "", cursors: [] };

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_CURSORS = 1000;

const instantOrEmpty = (value: string | null) => (value && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : "");

/**
 * Reads a shared link. A filter the operator typed is passed on as it is (the API says what is
 * wrong with it); times that do not parse and cursors that are not ids are dropped.
 */
export function parseAuditQuery(params: URLSearchParams): AuditQuery {
  const cursors = (params.get("after") ?? "").split(",").filter((cursor) => ID_PATTERN.test(cursor));
  return {
    userId: (params.get("user") ?? "").trim().slice(0, 128),
    action: (params.get("action") ?? "").trim().slice(0, 128),
    since: instantOrEmpty(params.get("since")),
    until: instantOrEmpty(params.get("until")),
    cursors: cursors.slice(-MAX_CURSORS),
  };
}

export function toAuditSearchParams(query: AuditQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.userId) params.set("user", query.userId);
  if (query.action) params.set("action", query.action);
  if (query.since) params.set("since", query.since);
  if (query.until) params.set("until", query.until);
  if (query.cursors.length) params.set("after", query.cursors.join(","));
  return params;
}

/** The GET /audit-logs path of a state (a user's trail uses it too, with only userId and its own cursor). */
export function auditApiPath(
  query: Pick<AuditQuery, "userId" | "action" | "since" | "until"> & { after?: string | undefined },
  limit = AUDIT_PAGE_SIZE,
): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (query.userId) params.set("user_id", query.userId);
  if (query.action) params.set("action", query.action);
  if (query.since) params.set("since", query.since);
  if (query.until) params.set("until", query.until);
  if (query.after) params.set("starting_after", query.after);
  return `/audit-logs?${params}`;
}

export const currentCursor = (query: AuditQuery): string | undefined => query.cursors[query.cursors.length - 1];
export const nextAuditPage = (query: AuditQuery, lastEntryId: string): AuditQuery => ({ ...query, cursors: [...query.cursors, lastEntryId] });
export const previousAuditPage = (query: AuditQuery): AuditQuery => ({ ...query, cursors: query.cursors.slice(0, -1) });
/** New filters start again at the first page: the cursors of the old ones mean nothing under them. */
export const withFilters = (query: AuditQuery, filters: Partial<Omit<AuditQuery, "cursors">>): AuditQuery => ({ ...query, ...filters, cursors: [] });

/** `<input type="datetime-local">` speaks local wall time without a zone; the API and the URL speak UTC instants. */
export function localInputToInstant(local: string): string {
  if (!local) return "";
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}

export function instantToLocalInput(instant: string): string {
  if (!instant) return "";
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
