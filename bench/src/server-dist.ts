/**
 * The one door into the server under test: its BUILT code (`npm run build` at the root), the
 * modules `wacht serve`'s bundle is made of. The bench seeds with these functions so seeded rows are the server's
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
