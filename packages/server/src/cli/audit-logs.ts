import { parseArgs } from "node:util";
import { toAuditLogEntryJson } from "../audit-log/audit-log.schemas.js";
import { listAuditLog } from "../audit-log/audit-log.service.js";
import type { Config } from "../config.js";
import { ensureDefaultDeployment } from "../deployments/deployments.service.js";
import { parseTimestampParameter } from "../http/timestamp-parameter.js";
import { withDatabase } from "./with-database.js";

const help = `wacht audit-logs — who changed what in a deployment, newest first

  wacht audit-logs [--deployment ID] [--user-id ID] [--action A] [--actor-id ID]
                   [--since DATE] [--until DATE] [--limit N] [--starting-after ENTRY_ID] [--json]

Dates are RFC 3339 (2026-01-31T12:00:00Z). --limit is at most 100 (default 20); the last line says
how to ask for the next page. --json prints {data, has_more}, as GET /audit-logs does.`;

export async function runAuditLogsCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      deployment: { type: "string" },
      "user-id": { type: "string" },
      action: { type: "string" },
      "actor-id": { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      limit: { type: "string" },
      "starting-after": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    console.error("wacht audit-logs: --limit must be a whole number from 1 to 100.");
    return 2;
  }
  let sinceMs: number | undefined;
  let untilMs: number | undefined;
  try {
    sinceMs = parseTimestampParameter("--since", values.since);
    untilMs = parseTimestampParameter("--until", values.until);
  } catch (error) {
    console.error(`wacht audit-logs: ${(error as Error).message}`);
    return 2;
  }
  const page = await withDatabase(config, async (db) => {
    const deploymentId = values.deployment ?? (await ensureDefaultDeployment(db)).id;
    return listAuditLog(db, deploymentId, {
      userId: values["user-id"],
      action: values.action,
      actorId: values["actor-id"],
      sinceMs,
      untilMs,
      limit,
      startingAfter: values["starting-after"],
    });
  });
  const entries = page.items.map(toAuditLogEntryJson);
  if (values.json) {
    console.log(JSON.stringify({ data: entries, has_more: page.hasMore }));
    return 0;
  }
  for (const entry of entries) {
    const changes = entry.changes.length ? ` [${entry.changes.join(", ")}]` : "";
    console.log(
      `${entry.created_at}\t${entry.id}\t${entry.actor.type}:${entry.actor.id} (${entry.actor.name})\t${entry.action}\t${entry.target.type}:${entry.target.id}${changes}`,
    );
  }
  if (page.hasMore) console.log(`… more: wacht audit-logs --starting-after ${entries.at(-1)!.id}`);
  return 0;
}
