import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { api } from "../api/client";
import type { AuditLogPage as AuditLogPageAnswer } from "../api/types";
import { AuditLogTable } from "../components/AuditLogTable";
import { ErrorMessage, Field, Loading } from "../components/ui";
import {
  AUDIT_PAGE_SIZE,
  auditApiPath,
  currentCursor,
  instantToLocalInput,
  localInputToInstant,
  nextAuditPage,
  parseAuditQuery,
  previousAuditPage,
  toAuditSearchParams,
  withFilters,
  EMPTY_AUDIT_QUERY,
  type AuditQuery,
} from "../lib/audit-query";

/** The filter form's own fields, as typed (the time range in local wall time). */
const formOf = (query: AuditQuery) => ({
  userId: query.userId,
  action: query.action,
  since: instantToLocalInput(query.since),
  until: instantToLocalInput(query.until),
});

/** Who changed what in this deployment, newest first: filter by user, action and time (all in the URL), page by cursor. */
export function AuditLogPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const query = useMemo(() => parseAuditQuery(searchParams), [searchParams]);
  const [form, setForm] = useState(() => formOf(query));
  // A link or the Back button changes the URL: the form follows it.
  useEffect(() => setForm(formOf(query)), [query.userId, query.action, query.since, query.until]);
  const go = (next: AuditQuery) => setSearchParams(toAuditSearchParams(next));

  const page = useQuery({
    queryKey: ["audit-logs", "page", toAuditSearchParams(query).toString()],
    queryFn: () => api.get<AuditLogPageAnswer>(auditApiPath({ ...query, after: currentCursor(query) })),
    placeholderData: keepPreviousData,
  });
  const entries = page.data?.data ?? [];
  const filtered = Boolean(query.userId || query.action || query.since || query.until);

  function apply(event: FormEvent) {
    event.preventDefault();
    go(
      withFilters(query, {
        userId: form.userId.trim(),
        action: form.action.trim(),
        since: localInputToInstant(form.since),
        until: localInputToInstant(form.until),
      }),
    );
  }

  return (
    <section>
      <h1>Audit log</h1>
      <form className="card audit-filters" onSubmit={apply} noValidate aria-label="Filter the audit log">
        <div className="form-grid">
          <Field
            label="User id"
            name="user_id"
            placeholder="usr_…"
            value={form.userId}
            onChange={(event) => setForm({ ...form, userId: event.target.value })}
            hint="Changes to the user and to their emails, phones, sessions…"
          />
          <Field
            label="Action"
            name="action"
            placeholder="user.update"
            value={form.action}
            onChange={(event) => setForm({ ...form, action: event.target.value })}
          />
          <Field label="From" name="since" type="datetime-local" value={form.since} onChange={(event) => setForm({ ...form, since: event.target.value })} />
          <Field label="Until" name="until" type="datetime-local" value={form.until} onChange={(event) => setForm({ ...form, until: event.target.value })} />
        </div>
        <div className="actions">
          <button type="submit">Apply filters</button>
          {filtered && (
            <button type="button" className="button-secondary" onClick={() => go(EMPTY_AUDIT_QUERY)}>
              Clear filters
            </button>
          )}
        </div>
      </form>
      {page.isLoading && <Loading label="Loading the audit log…" />}
      <ErrorMessage error={page.error} />
      {page.data && (
        <>
          <p className="summary" role="status" aria-live="polite">
            {entries.length === 0
              ? query.cursors.length
                ? "No older entries."
                : filtered
                  ? "No entry matches these filters."
                  : "Nothing recorded yet."
              : `Page ${query.cursors.length + 1}: ${entries.length} ${entries.length === 1 ? "entry" : "entries"}, newest first${filtered ? " (filtered)" : ""}`}
            {page.isFetching ? " (updating…)" : ""}
          </p>
          {entries.length > 0 && <AuditLogTable entries={entries} caption="Audit log entries, newest first" />}
          <nav className="pager" aria-label="Audit log pages">
            <button type="button" className="button-secondary" disabled={query.cursors.length === 0} onClick={() => go(previousAuditPage(query))}>
              Newer entries
            </button>
            <span>Page {query.cursors.length + 1}</span>
            <button
              type="button"
              className="button-secondary"
              disabled={!page.data.has_more || entries.length < 1}
              onClick={() => go(nextAuditPage(query, entries[entries.length - 1]!.id))}
            >
              Older entries
            </button>
          </nav>
        </>
      )}
      <p className="hint">{AUDIT_PAGE_SIZE} entries a page. Entries name the fields that changed, never their values.</p>
    </section>
  );
}
