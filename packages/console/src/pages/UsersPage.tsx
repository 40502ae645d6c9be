import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useLocation, useSearchParams } from "react-router";
import { api, segment } from "../api/client";
import type { User, UserPage, UserSortKey } from "../api/types";
import { StatusBadges } from "../components/StatusBadges";
import { ErrorMessage, Loading, Notice } from "../components/ui";
import { displayName, formatTime } from "../lib/format";
import { useDebounced } from "../lib/use-debounced";
import { PAGE_SIZES, nextSort, pageSummary, parseUsersQuery, toSearchParams, usersApiPath, type UsersQuery } from "../lib/users-query";

const SEARCH_DEBOUNCE_MS = 250;
const column = createColumnHelper<User>();

/**
 * Users: a server-side searched, sorted and paged table whose state lives in the URL. Each list
 * item carries its status (disabled, locked, last sign-in, second factor), so a page is one request.
 */
export function UsersPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const arrivalNotice = (useLocation().state as { notice?: string } | null)?.notice ?? null;
  const query = useMemo(() => parseUsersQuery(searchParams), [searchParams]);
  const [searchText, setSearchText] = useState(query.search);
  const debouncedSearch = useDebounced(searchText, SEARCH_DEBOUNCE_MS);

  const go = (next: UsersQuery) => setSearchParams(toSearchParams(next), { replace: next.search !== query.search && next.page === 1 });
  // Typing settles into the URL (page back to 1); a link or Back button moves the box the other way.
  useEffect(() => {
    if (debouncedSearch !== query.search) go({ ...query, search: debouncedSearch, page: 1 });
  }, [debouncedSearch]);
  const lastUrlSearch = useRef(query.search);
  useEffect(() => {
    if (query.search !== lastUrlSearch.current && query.search !== searchText) setSearchText(query.search);
    lastUrlSearch.current = query.search;
  }, [query.search]);

  const page = useQuery({ queryKey: ["users", query], queryFn: () => api.get<UserPage>(usersApiPath(query)), placeholderData: keepPreviousData });
  const rows = page.data?.data ?? [];

  const columns = useMemo(
    () => [
      column.display({ id: "name", header: "Name", cell: ({ row }) => <Link to={`/users/${segment(row.original.id)}`}>{displayName(row.original)}</Link> }),
      column.accessor("primary_email_address", { id: "email", header: "Primary email", cell: (info) => info.getValue() ?? "—" }),
      column.accessor("primary_phone_number", { id: "phone_number", header: "Phone", cell: (info) => info.getValue() ?? "—" }),
      column.accessor("username", { id: "username", header: "Username", cell: (info) => info.getValue() ?? "—" }),
      column.accessor("created_at", { id: "created_at", header: "Created", cell: (info) => formatTime(info.getValue()) }),
      column.accessor("last_sign_in_at", {
        id: "last_sign_in",
        header: "Last sign-in",
        cell: (info) => (info.getValue() ? formatTime(info.getValue()) : "Never"),
      }),
      column.display({ id: "status", header: "Status", cell: ({ row }) => <StatusBadges user={row.original} /> }),
    ],
    [],
  );
  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    getRowId: (user) => user.id,
  });

  const total = page.data?.total ?? 0;
  const summary = pageSummary(total, query);
  const sortable = new Set<string>(["email", "phone_number", "username", "created_at"]);

  return (
    <section>
      <div className="page-head">
        <h1>Users</h1>
        <Link className="button" to="/users/new">
          Create user
        </Link>
      </div>
      <Notice>{arrivalNotice}</Notice>
      <div className="toolbar">
        <div className="field field-inline">
          <label htmlFor="user-search">Search users</label>
          <input
            id="user-search"
            type="search"
            placeholder="Name, username, email or phone"
            value={searchText}
            onChange={(event) => setSearchText(event.target.value)}
            maxLength={256}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="page-size">Rows per page</label>
          <select id="page-size" value={query.pageSize} onChange={(event) => go({ ...query, pageSize: Number(event.target.value), page: 1 })}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </div>
      </div>
      {page.isError && <ErrorMessage error={page.error} />}
      {page.isLoading && <Loading label="Loading users…" />}
      {page.data && (
        <>
          <p className="summary" role="status" aria-live="polite">
            {total === 0
              ? "No users"
              : rows.length === 0
                ? `${total} ${total === 1 ? "user" : "users"}`
                : `Showing ${summary.first}–${summary.last} of ${total} ${total === 1 ? "user" : "users"}`}
            {query.search ? ` matching “${query.search}”` : ""}
            {page.isFetching ? " (updating…)" : ""}
          </p>
          <div className="table-wrap">
            <table className="users-table">
              <caption className="visually-hidden">
                Users, sorted by {query.sortKey.replace("_", " ")} {query.sortOrder === "asc" ? "ascending" : "descending"}
              </caption>
              <thead>
                {table.getHeaderGroups().map((group) => (
                  <tr key={group.id}>
                    {group.headers.map((header) => {
                      const key = header.column.id;
                      const active = query.sortKey === key;
                      const label = flexRender(header.column.columnDef.header, header.getContext());
                      return (
                        <th
                          key={header.id}
                          scope="col"
                          aria-sort={active ? (query.sortOrder === "asc" ? "ascending" : "descending") : sortable.has(key) ? "none" : undefined}
                        >
                          {sortable.has(key) ? (
                            <button type="button" className="sort" onClick={() => go(nextSort(query, key as UserSortKey))}>
                              {label}
                              <span aria-hidden="true" className="sort-mark">
                                {active ? (query.sortOrder === "asc" ? "▲" : "▼") : "↕"}
                              </span>
                            </button>
                          ) : (
                            label
                          )}
                        </th>
                      );
                    })}
                  </tr>
                ))}
              </thead>
              <tbody>
                {table.getRowModel().rows.map((row) => (
                  <tr key={row.id}>
                    {row.getVisibleCells().map((cell) => (
                      <td key={cell.id} data-label={String(cell.column.columnDef.header)}>
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {total > 0 && rows.length === 0 && (
            <p className="empty">
              Page {query.page} is past the last page.{" "}
              <button type="button" className="button-secondary button-small" onClick={() => go({ ...query, page: 1 })}>
                Go to the first page
              </button>
            </p>
          )}
          {total === 0 && (
            <p className="empty">
              {query.search ? "No user matches this search. Try part of a name, email, phone number or username." : "This deployment has no users yet."}{" "}
              {!query.search && <Link to="/users/new">Create the first one</Link>}
            </p>
          )}
          <nav className="pager" aria-label="Pages">
            <button type="button" className="button-secondary" disabled={query.page <= 1} onClick={() => go({ ...query, page: query.page - 1 })}>
              Previous page
            </button>
            <span>
              Page {Math.min(query.page, summary.pageCount)} of {summary.pageCount}
            </span>
            <button type="button" className="button-secondary" disabled={!page.data.has_more} onClick={() => go({ ...query, page: query.page + 1 })}>
              Next page
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
