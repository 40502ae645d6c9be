import { createApiKey } from "../api-keys/api-keys.service.js";
import type { AuditContext } from "../audit-log/audit-log.service.js";
import type { Db } from "../storage/db.js";
import { createConsoleLoginToken } from "./console-sessions.service.js";

/** The URL a one-time console sign-in link opens. */
export const consoleLoginUrl = (serverUrl: string, token: string) => `${serverUrl.replace(/\/+$/, "")}/console/login?token=${encodeURIComponent(token)}`;

/**
 * `wacht console-link`: a one-time link for an operator at the terminal. It signs in as a new API
 * key made for it (named so in the key list), so revoking that key ends the console session it opens.
 */
export async function createConsoleLink(
  db: Db,
  deploymentId: string,
  serverUrl: string,
  context?: AuditContext,
  nowMs = Date.now(),
): Promise<{ url: string; apiKeyId: string; expiresAt: number }> {
  const { apiKey } = await createApiKey(db, deploymentId, `console link ${new Date(nowMs).toISOString().slice(0, 16)}`, context);
  const { token, expiresAt } = await createConsoleLoginToken(db, deploymentId, apiKey.id, nowMs);
  return { url: consoleLoginUrl(serverUrl, token), apiKeyId: apiKey.id, expiresAt };
}
