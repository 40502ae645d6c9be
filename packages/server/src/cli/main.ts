#!/usr/bin/env node
import { readConfig } from "../config.js";

const usage = `wacht — the Wacht Backend API server

Usage: wacht <command> [options]

Commands:
  serve                         start the server (default)
  migrate                       bring the database schema up to date
  deployments create --name N   create a deployment (an isolated set of users)
  deployments list              list deployments, their frontend API URLs and publishable keys
  keys create --deployment ID   create an API key (shown once)
  keys list [--deployment ID]   list API keys (never their secrets)
  keys revoke <key id>          revoke an API key at once
  signing-keys rotate           new session-token signing key (old one published until its tokens expire)
  console-link                  a one-time link that signs a browser in to the admin console
  import --from SOURCE FILE     import users from clerk, auth0, supabase, firebase, better-auth or jsonl
  export [--include-password-hashes] [--include-second-factors]
                                every user as JSON lines on stdout (what 'import --from jsonl' reads)
  audit-logs [--user-id ID …]   who changed what, newest first
  oauth-providers list|set|remove   social sign-in providers (Google, GitHub, any OpenID Connect issuer)

Environment: PORT (3000), HOST (127.0.0.1), DATABASE_URL (sqlite:./data/wacht.db | sqlite::memory: |
postgres://…), WACHT_API_KEY, WACHT_PUBLIC_URL, WACHT_DB_POOL_SIZE, WACHT_RATE_LIMIT_MAX,
WACHT_RATE_LIMIT_WINDOW_MS, WACHT_LOG_LEVEL, WACHT_FRONTEND_API_URL, WACHT_SESSION_LIFETIME_SECONDS,
WACHT_SESSION_TOKEN_LIFETIME_SECONDS, WACHT_SIGN_IN_MAX_FAILURES, WACHT_SIGN_IN_FAILURE_WINDOW_SECONDS,
WACHT_LOCKOUT_SECONDS, WACHT_SIGN_IN_RATE_LIMIT_MAX, WACHT_TRUST_PROXY, WACHT_REDIS_URL, WACHT_ENCRYPTION_KEY,
WACHT_ENCRYPTION_KEY_FILE, WACHT_CONSOLE_IDLE_SECONDS, WACHT_CONSOLE_DIR, WACHT_API_KEY_FAILURE_MAX,
WACHT_REQUEST_TIMEOUT_MS, WACHT_HEADERS_TIMEOUT_MS, WACHT_KEEP_ALIVE_TIMEOUT_MS, WACHT_CONNECTION_TIMEOUT_MS,
WACHT_WEBHOOK_ALLOW_PRIVATE_NETWORKS, WACHT_WEBHOOK_RETRY_SCHEDULE, WACHT_WEBHOOK_TIMEOUT_SECONDS,
WACHT_WEBHOOK_POLL_INTERVAL_MS, WACHT_WEBHOOK_LEASE_MS, WACHT_WEBHOOK_DISABLE_AFTER_HOURS, WACHT_WEBHOOK_DISPATCHER,
WACHT_AUDIT_LOG_RETENTION_DAYS,
WACHT_OAUTH_<GOOGLE|GITHUB|MICROSOFT|APPLE|OIDC_SLUG>_CLIENT_ID/_CLIENT_SECRET[/_ISSUER/_SCOPES],
WACHT_OAUTH_REDIRECT_URLS, WACHT_OAUTH_ALLOW_SIGN_UP.
Run 'wacht <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [command = "serve", ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    console.log(usage);
    return 0;
  }
  const config = readConfig();
  // Each command's module is loaded only when it runs: `wacht keys list` need not load the web server.
  switch (command) {
    case "serve":
      return (await import("./serve.js")).runServeCommand(config, rest);
    case "migrate":
      return (await import("./migrate.js")).runMigrateCommand(config, rest);
    case "deployments":
      return (await import("./deployments.js")).runDeploymentsCommand(config, rest);
    case "keys":
      return (await import("./keys.js")).runKeysCommand(config, rest);
    case "console-link":
      return (await import("./console-link.js")).runConsoleLinkCommand(config, rest);
    case "signing-keys":
      return (await import("./signing-keys.js")).runSigningKeysCommand(config, rest);
    case "import":
      return (await import("./import.js")).runImportCommand(config, rest);
    case "export":
      return (await import("./export.js")).runExportCommand(config, rest);
    case "audit-logs":
      return (await import("./audit-logs.js")).runAuditLogsCommand(config, rest);
    case "oauth-providers":
      return (await import("./oauth-providers.js")).runOauthProvidersCommand(config, rest);
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
