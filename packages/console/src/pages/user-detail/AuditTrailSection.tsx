import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api } from "../../api/client";
import type { AuditLogPage, UserDetails } from "../../api/types";
import { AuditLogTable } from "../../components/AuditLogTable";
import { ErrorMessage, Loading } from "../../components/ui";
import { auditApiPath, toAuditSearchParams, EMPTY_AUDIT_QUERY } from "../../lib/audit-query";
import { Section } from "./shared";

const TRAIL_PAGE_SIZE = 10;

/** Who changed this user, newest first, a page at a time (the cursors walked kept here, not in the URL). */
export function AuditTrailSection({ user }: { user: UserDetails }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: ["audit-logs", "user", user.id, after ?? null],
    queryFn: () => api.get<AuditLogPage>(auditApiPath({ userId: user.id, action: "", since: "", until: "", after }, TRAIL_PAGE_SIZE)),
    placeholderData: keepPreviousData,
  });
  const entries = page.data?.data ?? [];
  const fullLog = `/audit-log?${toAuditSearchParams({ ...EMPTY_AUDIT_QUERY, userId: user.id })}`;
  return (
    <Section title="Audit trail">
      {page.isLoading && <Loading label="Loading the audit trail…" />}
      <ErrorMessage error={page.error} />
      {page.data && entries.length === 0 && <p className="empty">{cursors.length ? "No older entries." : "Nothing recorded for this user yet."}</p>}
      {entries.length > 0 && <AuditLogTable entries={entries} caption={`Audit trail of ${user.id}, newest first`} />}
      <nav className="pager" aria-label="Audit trail pages">
        <button type="button" className="button-secondary" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer entries
        </button>
        <Link to={fullLog}>Open in the audit log</Link>
        <button
          type="button"
          className="button-secondary"
          disabled={!page.data?.has_more || entries.length === 0}
          onClick={() => setCursors([...cursors, entries[entries.length - 1]!.id])}
        >
          Older entries
        </button>
      </nav>
    </Section>
  );
}
