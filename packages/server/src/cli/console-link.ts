import { parseArgs } from "node:util";
import { cliAuditContext } from "../changes/changes.service.js";
import type { Config } from "../config.js";
import { createConsoleLink } from "../console/console-links.service.js";
import { ensureDefaultDeployment, getDeployment } from "../deployments/deployments.service.js";
import { listeningUrlOf } from "./deployments.js";
import { withDatabase } from "./with-database.js";

const help = `wacht console-link — a one-time link that signs a browser in to the admin console

  wacht console-link [--deployment ID] [--url URL] [--json]

The link works once, for 15 minutes. It signs in as a new API key made for it ("console link …"):
revoke that key ('wacht keys revoke') to end the console session. --url is the server's public
URL (default WACHT_PUBLIC_URL, else http://HOST:PORT).`;

export async function runConsoleLinkCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { deployment: { type: "string" }, url: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const serverUrl = values.url ?? config.publicUrl ?? listeningUrlOf(config);
  return withDatabase(config, async (db) => {
    const deploymentId = values.deployment ?? (await ensureDefaultDeployment(db)).id;
    const deployment = await getDeployment(db, deploymentId);
    const link = await createConsoleLink(db, deployment.id, serverUrl, cliAuditContext("console-link"));
    if (values.json) console.log(JSON.stringify({ url: link.url, api_key_id: link.apiKeyId, expires_at: new Date(link.expiresAt).toISOString() }));
    else console.log(`Open this link within 15 minutes to manage deployment ${deployment.name} (${deployment.id}); it works once:\n\n  ${link.url}\n`);
    return 0;
  });
}
