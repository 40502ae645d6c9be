import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { createDeployment, ensureDefaultDeployment, frontendApiOf, listDeployments, setFrontendApiUrl } from "../deployments/deployments.service.js";
import { cliAuditContext } from "../changes/changes.service.js";
import { withDatabase } from "./with-database.js";

const help = `wacht deployments — isolated sets of users (e.g. staging and production)

  wacht deployments create --name NAME [--frontend-api-url URL]
                                           create one; then 'wacht keys create --deployment ID'
  wacht deployments set-frontend-api-url ID URL
                                           the origin its sign-in and session tokens answer on
  wacht deployments list [--json]          list them, with frontend API URL and publishable key

The default deployment answers on WACHT_FRONTEND_API_URL, else WACHT_PUBLIC_URL, else the URL the
server last listened on (as 'wacht serve' printed it), else http://HOST:PORT.`;

/** The URL the server started with this configuration listens on (the default deployment's fallback). */
export function listeningUrlOf(config: Config): string {
  return `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`;
}

export async function runDeploymentsCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { name: { type: "string" }, "frontend-api-url": { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help || action === "--help" || !action) {
    console.log(help);
    return action ? 0 : 2;
  }
  const describe = (deployment: Awaited<ReturnType<typeof listDeployments>>[number]) => {
    // The URL the server last listened on, as it announced it; else the one this configuration would give.
    const frontendApi = frontendApiOf(deployment, config, deployment.lastListeningUrl ?? listeningUrlOf(config));
    return { ...deployment, frontendApiUrl: frontendApi?.url ?? null, publishableKey: frontendApi?.publishableKey ?? null };
  };
  if (action === "create") {
    if (!values.name) {
      console.error("wacht deployments create: --name is required.");
      return 2;
    }
    const deployment = await withDatabase(config, (db) =>
      createDeployment(db, values.name!, { frontendApiUrl: values["frontend-api-url"], context: cliAuditContext("deployments create") }),
    );
    console.log(values.json ? JSON.stringify(describe(deployment)) : `Created deployment ${deployment.id} (${deployment.name}).`);
    return 0;
  }
  if (action === "set-frontend-api-url") {
    const [deploymentId, url] = positionals;
    if (!deploymentId || !url) {
      console.error("wacht deployments set-frontend-api-url: give the deployment id and the URL.");
      return 2;
    }
    const deployment = describe(
      await withDatabase(config, (db) => setFrontendApiUrl(db, deploymentId, url, cliAuditContext("deployments set-frontend-api-url"))),
    );
    console.log(
      values.json
        ? JSON.stringify(deployment)
        : `Deployment ${deployment.id} answers on ${deployment.frontendApiUrl}; publishable key ${deployment.publishableKey}`,
    );
    return 0;
  }
  if (action === "list") {
    const deployments = await withDatabase(config, async (db) => {
      await ensureDefaultDeployment(db);
      return listDeployments(db);
    });
    const described = deployments.map(describe);
    if (values.json) console.log(JSON.stringify(described));
    else {
      for (const d of described) {
        const columns = [d.id, d.name, ...(d.isDefault ? ["(default)"] : []), new Date(d.createdAt).toISOString()];
        console.log([...columns, d.frontendApiUrl ?? "(no frontend API URL)", d.publishableKey ?? "-"].join("\t"));
      }
    }
    return 0;
  }
  console.error(`wacht deployments: unknown action '${action}'.\n\n${help}`);
  return 2;
}
