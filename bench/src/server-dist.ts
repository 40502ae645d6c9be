/**
 * The one door into the server under test: its BUILT code (`npm run build` at the root), the same
 * files `wacht serve` runs. The bench seeds with these functions so seeded rows are the server's
 * own, and measures the build a user would deploy, not the TypeScript sources.
 */
export { ensureDefaultDeployment } from "../../packages/server/dist/deployments/deployments.service.js";
export { generateId } from "../../packages/server/dist/ids.js";
export { ARGON2ID_PARAMETERS, hashPassword } from "../../packages/server/dist/passwords/hasher.js";
export { createDb, migrateToLatest, type Db } from "../../packages/server/dist/storage/db.js";
export { mergeSearchIndex } from "../../packages/server/dist/storage/search-index-upkeep.js";
export type { UserEmailRow, UserRow } from "../../packages/server/dist/storage/tables.js";
export { deriveUserColumns, findUser, listUsers, refreshUserDerivedColumns, type User } from "../../packages/server/dist/users/users.storage.js";
export { toUserDetailsJson, toUserJson } from "../../packages/server/dist/users/users.schemas.js";
export { toUserEmail, type UserEmail } from "../../packages/server/dist/identifiers/identifiers.storage.js";

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `wacht serve`, as the root `npm start` runs it. */
export const SERVER_CLI_PATH = fileURLToPath(new URL("../../packages/server/dist/cli/main.js", import.meta.url));

/** The node flags of the root `npm start` script (`node <flags> packages/server/dist/cli/main.js serve`): the server is measured as it is started. */
export const START_NODE_FLAGS: string[] = (() => {
  const root = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { scripts: { start: string } };
  const words = root.scripts.start.split(/\s+/);
  return words
    .slice(
      1,
      words.findIndex((word) => word.endsWith("cli/main.js")),
    )
    .filter((word) => word.startsWith("--"));
})();
