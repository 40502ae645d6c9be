import { DataTable } from "./ui";
import { Link } from "react-router";
import { segment } from "../api/client";
import type { AuditLogEntry } from "../api/types";
import { formatTime } from "../lib/format";

/** What an entry's target is, linked when it is a user the console can show. */
function Target({ target }: { target: AuditLogEntry["target"] }) {
  if (target.type === "user") return <Link to={`/users/${segment(target.id)}`}>user {target.id}</Link>;
  return (
    <>
      {target.type} <span className="mono">{target.id}</span>
    </>
  );
}

const actorOf = (actor: AuditLogEntry["actor"]) =>
  actor.type === "api_key"
    ? `API key ${actor.name}`
    : actor.type === "cli"
      ? "wacht CLI"
      : actor.type === "user"
        ? `the user (${actor.name || actor.id})`
        : actor.name;

/** Audit entries, newest first: when, who, what, on what, which fields (never their values). */
export function AuditLogTable({ entries, caption, showTarget = true }: { entries: AuditLogEntry[]; caption: string; showTarget?: boolean }) {
  return (
    <DataTable columns={["When", "Action", ...(showTarget ? ["Target"] : []), "Changed", "By", "From"]} caption={caption}>
      {entries.map((entry) => (
        <tr key={entry.id}>
          <td data-label="When">
            <time dateTime={entry.created_at}>{formatTime(entry.created_at)}</time>
          </td>
          <td data-label="Action" className="mono">
            {entry.action}
          </td>
          {showTarget && (
            <td data-label="Target">
              <Target target={entry.target} />
            </td>
          )}
          <td data-label="Changed">{entry.changes.length ? entry.changes.join(", ") : "—"}</td>
          <td data-label="By">{actorOf(entry.actor)}</td>
          <td data-label="From" className="mono">
            {entry.ip_address ?? "—"}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
