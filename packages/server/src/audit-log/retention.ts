import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { pruneAuditLog } from "./audit-log.service.js";

const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes audit entries past WACHT_AUDIT_LOG_RETENTION_DAYS: at start, then hourly. Several
 * instances pruning at once delete the same rows, which is harmless.
 */
export const auditLogRetention = fp(
  async (app: FastifyInstance) => {
    const days = app.config.auditLogRetentionDays;
    if (days <= 0) return;
    let timer: NodeJS.Timeout | null = null;
    const prune = () =>
      pruneAuditLog(app.db, days).then(
        (deleted) => deleted > 0 && app.log.info({ deleted }, "audit log: deleted entries past the retention"),
        (error) => app.log.warn({ err: error }, "audit log: pruning failed; retrying in an hour"),
      );
    app.addHook("onReady", async () => {
      void prune();
      timer = setInterval(prune, PRUNE_INTERVAL_MS);
      timer.unref();
    });
    app.addHook("onClose", async () => {
      if (timer) clearInterval(timer);
    });
  },
  { name: "audit-log-retention" },
);
