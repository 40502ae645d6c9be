import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { createDeployment, ensureDefaultDeployment, listDeployments } from "../deployments/deployments.service.js";
import { withDatabase } from "./with-database.js";

const help = `wacht deployments — isolated sets of users (e.g. staging and production)

  wacht deployments create --name NAME   create one; then 'wacht keys create --deployment ID'
  wacht deployments list [--json]        list them`;

export async function runDeploymentsCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { name: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } } });
  if (values.help || action === "--help" || !action) {
    console.log(help);
    return action ? 0 : 2;
  }
  if (action === "create") {
    if (!values.name) {
      console.error("wacht deployments create: --name is required.");
      return 2;
    }
    const deployment = await withDatabase(config, (db) => createDeployment(db, values.name!));
    console.log(values.json ? JSON.stringify(deployment) : `Created deployment ${deployment.id} (${deployment.name}).`);
    return 0;
  }
  if (action === "list") {
    const deployments = await withDatabase(config, async (db) => {
      await ensureDefaultDeployment(db);
      return listDeployments(db);
    });
    if (values.json) console.log(JSON.stringify(deployments));
    else for (const d of deployments) console.log(`${d.id}\t${d.name}${d.isDefault ? "\t(default)" : ""}\t${new Date(d.createdAt).toISOString()}`);
    return 0;
  }
  console.error(`wacht deployments: unknown action '${action}'.\n\n${help}`);
  return 2;
}
