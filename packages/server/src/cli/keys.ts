import { parseArgs } from "node:util";
import { createApiKey, listApiKeys, revokeApiKey } from "../api-keys/api-keys.service.js";
import { cliAuditContext } from "../changes/changes.service.js";
import type { Config } from "../config.js";
import { ensureDefaultDeployment, findDeployment } from "../deployments/deployments.service.js";
import { withDatabase } from "./with-database.js";

const help = `wacht keys — API keys; each belongs to one deployment

  wacht keys create [--deployment ID] [--name NAME]   create a key (default deployment unless given); shown once
  wacht keys list [--deployment ID] [--json]          list keys (never their secrets)
  wacht keys revoke KEY_ID                            revoke a key: it answers 401 at once`;

export async function runKeysCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { deployment: { type: "string" }, name: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help || action === "--help" || !action) {
    console.log(help);
    return action ? 0 : 2;
  }
  return withDatabase(config, async (db) => {
    if (action === "create") {
      const deploymentId = values.deployment ?? (await ensureDefaultDeployment(db)).id;
      if (!(await findDeployment(db, deploymentId))) {
        console.error(`wacht keys create: no deployment '${deploymentId}'.`);
        return 1;
      }
      const { apiKey, secret } = await createApiKey(db, deploymentId, values.name ?? "cli", cliAuditContext("keys create"));
      if (values.json) console.log(JSON.stringify({ id: apiKey.id, deployment_id: deploymentId, key: secret }));
      else console.log(`Created API key ${apiKey.id} for deployment ${deploymentId}. It is shown once:\n\n  ${secret}\n`);
      return 0;
    }
    if (action === "list") {
      const keys = await listApiKeys(db, values.deployment);
      if (values.json) console.log(JSON.stringify(keys));
      else for (const k of keys) console.log(`${k.id}\t${k.deploymentId}\t${k.name}\t${k.displayPrefix}\t${k.revokedAt ? "revoked" : "active"}`);
      return 0;
    }
    if (action === "revoke") {
      const keyId = positionals[0];
      if (!keyId) {
        console.error("wacht keys revoke: give the key id (see 'wacht keys list').");
        return 2;
      }
      await revokeApiKey(db, keyId, undefined, cliAuditContext("keys revoke"));
      console.log(`Revoked ${keyId}.`);
      return 0;
    }
    console.error(`wacht keys: unknown action '${action}'.\n\n${help}`);
    return 2;
  });
}
