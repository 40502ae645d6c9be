#!/usr/bin/env node
import { readConfig } from "../config.js";
import { runDeploymentsCommand } from "./deployments.js";
import { runKeysCommand } from "./keys.js";
import { runMigrateCommand } from "./migrate.js";
import { runServeCommand } from "./serve.js";

const usage = `wacht — the Wacht Backend API server

Usage: wacht <command> [options]

Commands:
  serve                         start the server (default)
  migrate                       bring the database schema up to date
  deployments create --name N   create a deployment (an isolated set of users)
  deployments list              list deployments
  keys create --deployment ID   create an API key (shown once)
  keys list [--deployment ID]   list API keys (never their secrets)
  keys revoke <key id>          revoke an API key at once

Environment: PORT (3000), HOST (127.0.0.1), DATABASE_URL (sqlite:./data/wacht.db | sqlite::memory: |
postgres://…), WACHT_API_KEY, WACHT_PUBLIC_URL, WACHT_DB_POOL_SIZE, WACHT_RATE_LIMIT_MAX,
WACHT_RATE_LIMIT_WINDOW_MS, WACHT_LOG_LEVEL. Run 'wacht <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [command = "serve", ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    console.log(usage);
    return 0;
  }
  const config = readConfig();
  switch (command) {
    case "serve":
      return runServeCommand(config, rest);
    case "migrate":
      return runMigrateCommand(config, rest);
    case "deployments":
      return runDeploymentsCommand(config, rest);
    case "keys":
      return runKeysCommand(config, rest);
    default:
      console.error(`Unknown command '${command}'.\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (error: Error) => {
    console.error(`wacht: ${error.message}`);
    process.exitCode = 1;
  },
);

