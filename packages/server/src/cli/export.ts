import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { loadSecretBox } from "../crypto/encryption-key.js";
import { ensureDefaultDeployment, findDeployment } from "../deployments/deployments.service.js";
import { exportUsers } from "../import/export.service.js";
import { withDatabase } from "./with-database.js";

const help = `wacht export — every user of a deployment as JSON lines, on stdout

  wacht export [--deployment ID] [--include-password-hashes] [--include-second-factors] > users.jsonl

Each line is one user with identifiers, metadata and social connections, in the format
'wacht import --from jsonl' reads back. Password hashes are left out unless asked for, and so
are TOTP secrets (in the clear) and backup code hashes (--include-second-factors).`;

export async function runExportCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      deployment: { type: "string" },
      "include-password-hashes": { type: "boolean" },
      "include-second-factors": { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const includePasswordHashes = values["include-password-hashes"] === true;
  if (includePasswordHashes) {
    console.error("wacht export: WARNING: the output holds every user's password hash. Keep it as secret as the database itself, and delete it once imported.");
  }
  const includeSecondFactors = values["include-second-factors"] === true;
  if (includeSecondFactors) {
    console.error(
      "wacht export: WARNING: the output holds every user's TOTP secret in the clear (anyone with it can make their codes) and their backup code hashes. Keep it secret and delete it once imported.",
    );
  }
  return withDatabase(config, async (db) => {
    const deploymentId = values.deployment ?? (await ensureDefaultDeployment(db)).id;
    if (!(await findDeployment(db, deploymentId))) {
      console.error(`wacht export: no deployment '${deploymentId}'.`);
      return 1;
    }
    let count = 0;
    for await (const user of exportUsers(db, deploymentId, {
      includePasswordHashes,
      ...(includeSecondFactors && { includeSecondFactors: { secretBox: loadSecretBox(config).secretBox } }),
    })) {
      // Waiting for 'drain' keeps a slow pipe from buffering the whole deployment in memory.
      if (!process.stdout.write(`${JSON.stringify(user)}\n`)) await new Promise((resolve) => process.stdout.once("drain", resolve));
      count++;
    }
    console.error(`wacht export: ${count} users.`);
    return 0;
  });
}
