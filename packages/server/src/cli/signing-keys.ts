import { parseArgs } from "node:util";
import { cliAuditContext } from "../changes/changes.service.js";
import type { Config } from "../config.js";
import { ensureDefaultDeployment, findDeployment } from "../deployments/deployments.service.js";
import { listSigningKeys, rotateSigningKey } from "../signing-keys/signing-keys.service.js";
import { loadSecretBox } from "../crypto/encryption-key.js";
import { withDatabase } from "./with-database.js";

const help = `wacht signing-keys — the ES256 keys session tokens are signed with (one active per deployment)

  wacht signing-keys rotate [--deployment ID] [--json]   make a new active key; the old one stops signing
                                                         and stays in the JWKS until its tokens expire
  wacht signing-keys list [--deployment ID] [--json]     list keys (public parts only)`;

export async function runSigningKeysCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { deployment: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } } });
  if (values.help || action === "--help" || !action) {
    console.log(help);
    return action ? 0 : 2;
  }
  if (action !== "rotate" && action !== "list") {
    console.error(`wacht signing-keys: unknown action '${action}'.\n\n${help}`);
    return 2;
  }
  return withDatabase(config, async (db) => {
    const deploymentId = values.deployment ?? (await ensureDefaultDeployment(db)).id;
    if (!(await findDeployment(db, deploymentId))) {
      console.error(`wacht signing-keys ${action}: no deployment '${deploymentId}'.`);
      return 1;
    }
    if (action === "rotate") {
      const { activeKeyId, retiredKeyId } = await rotateSigningKey(db, loadSecretBox(config).secretBox, deploymentId, cliAuditContext("signing-keys rotate"));
      if (values.json) console.log(JSON.stringify({ deployment_id: deploymentId, active_key_id: activeKeyId, retired_key_id: retiredKeyId }));
      else {
        const retired = retiredKeyId ? `; ${retiredKeyId} no longer signs and stays published until the tokens it signed expire` : "";
        console.log(`Deployment ${deploymentId} now signs with ${activeKeyId}${retired}.`);
      }
      return 0;
    }
    const keys = await listSigningKeys(db, deploymentId);
    if (values.json)
      console.log(JSON.stringify(keys.map(({ id, algorithm, createdAt, retiredAt }) => ({ id, algorithm, created_at: createdAt, retired_at: retiredAt }))));
    else {
      for (const key of keys) {
        const state = key.retiredAt === null ? "active" : `retired ${new Date(key.retiredAt).toISOString()}`;
        console.log(`${key.id}\t${key.algorithm}\t${new Date(key.createdAt).toISOString()}\t${state}`);
      }
    }
    return 0;
  });
}
