import type { WachtClient } from "../client.js";
import { paginateByCursor, type PagePromise } from "../core/pagination.js";
import type { RequestOptions } from "../core/request.js";
import type { AuditLogEntry, AuditLogPage, ListAuditLogsOptions } from "./audit-logs.types.js";

/** `client.auditLogs`: who changed what, newest first. */
export class AuditLogs {
  readonly #client: WachtClient;

  constructor(client: WachtClient) {
    this.#client = client;
  }

  /**
   * One page (`await`), or every matching entry (`for await`), each page `starting_after` the
   * last entry of the one before: entries written meanwhile never shift a page.
   */
  list(options: ListAuditLogsOptions = {}, requestOptions?: RequestOptions): PagePromise<AuditLogEntry, AuditLogPage> {
    return paginateByCursor(
      (startingAfter) => this.#client.get<AuditLogPage>("/audit-logs", { ...requestOptions, query: { ...options, starting_after: startingAfter } }),
      options.starting_after,
    );
  }
}
