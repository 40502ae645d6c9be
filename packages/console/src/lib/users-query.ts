import type { SortOrder, UserSortKey } from "../api/types";

/** What the users page shows, as kept in its URL (so a search or page can be shared as a link). */
export interface UsersQuery {
  search: string;
  sortKey: UserSortKey;
  sortOrder: SortOrder;
  /** 1-based. */
  page: number;
  pageSize: number;
}

export const SORT_KEYS: readonly UserSortKey[] = ["created_at", "username", "email", "phone_number"];
export const PAGE_SIZES = [10, 25, 50, 100] as const;
export const DEFAULT_USERS_QUERY: UsersQuery = { search: "", sortKey: "created_at", sortOrder: "desc", page: 1, pageSize: 25 };

const SEARCH_MAX = 256;
const PAGE_MAX = 1_000_000;

/** Reads the page's state from its query string; anything malformed falls back to the default rather than failing. */
export function parseUsersQuery(params: URLSearchParams): UsersQuery {
  const sortKey = params.get("sort");
  const sortOrder = params.get("order");
  const page = Number(params.get("page"));
  const pageSize = Number(params.get("size"));
  return {
    search: (params.get("q") ?? "").slice(0, SEARCH_MAX),
    sortKey: SORT_KEYS.includes(sortKey as UserSortKey) ? (sortKey as UserSortKey) : DEFAULT_USERS_QUERY.sortKey,
    sortOrder: sortOrder === "asc" || sortOrder === "desc" ? sortOrder : DEFAULT_USERS_QUERY.sortOrder,
    page: Number.isInteger(page) && page >= 1 && page <= PAGE_MAX ? page : 1,
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_USERS_QUERY.pageSize,
  };
}

/** The query string of a state, leaving defaults out so links stay short. */
export function toSearchParams(query: UsersQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.search) params.set("q", query.search);
  if (query.sortKey !== DEFAULT_USERS_QUERY.sortKey || query.sortOrder !== DEFAULT_USERS_QUERY.sortOrder) {
    params.set("sort", query.sortKey);
    params.set("order", query.sortOrder);
  }
  if (query.page !== 1) params.set("page", String(query.page));
  if (query.pageSize !== DEFAULT_USERS_QUERY.pageSize) params.set("size", String(query.pageSize));
  return params;
}

/** The GET /users path for a state. */
export function usersApiPath(query: UsersQuery): string {
  const params = new URLSearchParams({
    limit: String(query.pageSize),
    offset: String((query.page - 1) * query.pageSize),
    sort_key: query.sortKey,
    sort_order: query.sortOrder,
  });
  const search = query.search.trim();
  if (search) params.set("search", search);
  return `/users?${params}`;
}

/** Clicking a column header: a new column starts ascending, the same column flips; either goes back to page 1. */
export function nextSort(query: UsersQuery, key: UserSortKey): UsersQuery {
  const sortOrder: SortOrder = query.sortKey === key ? (query.sortOrder === "asc" ? "desc" : "asc") : "asc";
  return { ...query, sortKey: key, sortOrder, page: 1 };
}

/** "Showing 26–50 of 120" parts, and the last page number (at least 1). */
export function pageSummary(total: number, query: UsersQuery): { first: number; last: number; pageCount: number } {
  const pageCount = Math.max(1, Math.ceil(total / query.pageSize));
  if (total === 0) return { first: 0, last: 0, pageCount };
  const first = (query.page - 1) * query.pageSize + 1;
  return { first: Math.min(first, total + 1), last: Math.min(query.page * query.pageSize, total), pageCount };
}
