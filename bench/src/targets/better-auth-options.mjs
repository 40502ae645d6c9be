// Plain JavaScript: the Better Auth server process imports this, and measured processes run
// without a TypeScript loader (see ../../README.md). Type-checked through JSDoc.
import { admin } from "better-auth/plugins";

/** Where Better Auth mounts its routes (its default). */
export const BETTER_AUTH_BASE_PATH = "/api/auth";

/**
 * The Better Auth setup measured, shared by the seeder and the server so both see one schema:
 * email and password, the admin plugin with its defaults, on better-sqlite3. Rate limiting is off
 * (ours runs with WACHT_RATE_LIMIT_MAX=0) and so is telemetry (no traffic may leave the machine).
 * @param {import("better-sqlite3").Database} database
 * @param {string} baseURL
 * @param {string} secret
 */
export function betterAuthOptions(database, baseURL, secret) {
  return /** @satisfies {import("better-auth").BetterAuthOptions} */ ({
    database,
    baseURL,
    secret,
    emailAndPassword: { enabled: true },
    plugins: [admin()],
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { level: "error" },
  });
}

/**
 * The same connection settings as our server's SQLite connection (Better Auth leaves them to the caller).
 * @param {import("better-sqlite3").Database} database
 */
export function tuneConnection(database) {
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("foreign_keys = ON");
  database.pragma("busy_timeout = 5000");
}
