import { errors } from "../errors.js";
import type { ImportUser, ImportUsersResponse } from "./import.schemas.js";
import { MAX_IMPORT_BATCH } from "./import.schemas.js";
import type { FormatReader, ReadRecord } from "./formats/index.js";

/** Where batches go: the import service on a database, or POST /users/import on a server. */
export interface ImportSink {
  importBatch(items: ImportUser[]): Promise<ImportUsersResponse>;
}

export interface Rejection {
  location: string;
  reason: string;
  code: string | null;
  field: string | null;
  external_id: string | null;
  email: string | null;
}

export interface ImportTotals {
  read: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  /** Source fields we do not carry over, and how many records had each. */
  dropped: Map<string, number>;
}

export interface RunImportOptions {
  batchSize?: number;
  onReject?: (rejection: Rejection) => void | Promise<void>;
  onBatch?: (totals: ImportTotals) => void;
}

/**
 * Streams a provider's records into batches of at most 1,000 and sends each to the sink, one
 * batch in flight at a time: memory holds one batch whatever the file's size. Records the reader
 * could not turn into items, and items the importer refused, go to onReject with their reason.
 */
export async function runImport(records: FormatReader, sink: ImportSink, options: RunImportOptions = {}): Promise<ImportTotals> {
  const batchSize = Math.min(options.batchSize ?? MAX_IMPORT_BATCH, MAX_IMPORT_BATCH);
  const totals: ImportTotals = { read: 0, created: 0, updated: 0, skipped: 0, failed: 0, dropped: new Map() };
  let batch: ReadRecord[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const sent = batch;
    batch = [];
    const response = await sink.importBatch(sent.map((record) => record.item!));
    totals.created += response.created;
    totals.updated += response.updated;
    totals.skipped += response.skipped;
    totals.failed += response.failed;
    for (const result of response.results) {
      if (result.status !== "failed" || !result.error) continue;
      const record = sent[result.index]!;
      await options.onReject?.({
        location: record.location,
        reason: result.error.message,
        code: result.error.code,
        field: result.error.field,
        ...identify(record.item!),
      });
    }
    options.onBatch?.(totals);
  };

  for await (const record of records) {
    totals.read++;
    for (const field of record.dropped) totals.dropped.set(field, (totals.dropped.get(field) ?? 0) + 1);
    if (!record.item) {
      totals.failed++;
      await options.onReject?.({
        location: record.location,
        reason: record.reason ?? "unreadable",
        code: errors.unreadable_record.code,
        field: null,
        external_id: null,
        email: null,
      });
      continue;
    }
    batch.push(record);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  options.onBatch?.(totals);
  return totals;
}

/** Enough to find a rejected user in its source, without copying its secrets into the rejects file. */
function identify(item: ImportUser): { external_id: string | null; email: string | null } {
  const email = item.email_address ?? item.email_addresses?.find((entry) => entry.primary)?.email ?? item.email_addresses?.[0]?.email ?? null;
  return { external_id: item.external_id ?? null, email: typeof email === "string" ? email : null };
}
