import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { hashPassword } from "better-auth/crypto";
import { getMigrations } from "better-auth/db/migration";
import { randomBytes } from "node:crypto";
import { betterAuthOptions, tuneConnection } from "../targets/better-auth-options.mjs";
import { createdAtOf, personAt } from "./people.js";
import { SEEDED_USER_PASSWORD } from "./wacht.js";

export interface BetterAuthSeed {
  userIds: string[];
  /** The Cookie header of a signed-in admin: every admin endpoint needs one. */
  adminCookie: string;
  seconds: number;
}

const ROWS_PER_TRANSACTION = 20_000;
const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Better Auth's id shape: 32 random letters and digits. */
function betterAuthId(): string {
  let id = "";
  for (const byte of randomBytes(32)) id += ALPHANUMERIC[byte % 62];
  return id;
}

/**
 * Migrates with Better Auth's own migrator (`getMigrations`, what its CLI runs) and writes the
 * same people as the Wacht seed in the rows its admin plugin's create-user writes: a user row
 * (name, email, verified, role "user") and a credential account holding a password hash made by
 * Better Auth's own hasher. Then creates an admin through the API and signs it in.
 */
export async function seedBetterAuth(path: string, userCount: number, endMs: number, baseURL: string, secret: string): Promise<BetterAuthSeed> {
  const startedAt = performance.now();
  const database = new Database(path);
  try {
    tuneConnection(database);
    const options = betterAuthOptions(database, baseURL, secret);
    const { runMigrations } = await getMigrations(options);
    await runMigrations();

    const passwordHash = await hashPassword(SEEDED_USER_PASSWORD);
    const insertUser = database.prepare(
      `INSERT INTO "user" (id, name, email, emailVerified, image, createdAt, updatedAt, role, banned, banReason, banExpires)
       VALUES (?, ?, ?, 1, NULL, ?, ?, 'user', 0, NULL, NULL)`,
    );
    const insertAccount = database.prepare(
      `INSERT INTO account (id, accountId, providerId, userId, password, createdAt, updatedAt) VALUES (?, ?, 'credential', ?, ?, ?, ?)`,
    );
    const userIds: string[] = new Array(userCount);
    const insertRange = database.transaction((first: number, last: number) => {
      for (let index = first; index < last; index++) {
        const person = personAt(index);
        const at = new Date(createdAtOf(index, userCount, endMs)).toISOString();
        const userId = betterAuthId();
        userIds[index] = userId;
        insertUser.run(userId, `${person.firstName} ${person.lastName}`, person.email, at, at);
        insertAccount.run(betterAuthId(), userId, userId, passwordHash, at, at);
      }
    });
    for (let first = 0; first < userCount; first += ROWS_PER_TRANSACTION) insertRange(first, Math.min(userCount, first + ROWS_PER_TRANSACTION));

    const auth = betterAuth(options);
    const admin = { email: "bench-admin@example.com", password: `admin-${randomBytes(12).toString("hex")}` };
    await auth.api.createUser({ body: { ...admin, name: "Bench Admin", role: "admin" } });
    const signIn = await auth.api.signInEmail({ body: admin, asResponse: true });
    const adminCookie = signIn.headers
      .getSetCookie()
      .map((cookie) => cookie.split(";")[0])
      .join("; ");
    if (!signIn.ok || !adminCookie) throw new Error(`Better Auth admin sign-in failed with status ${signIn.status}.`);
    return { userIds, adminCookie, seconds: (performance.now() - startedAt) / 1000 };
  } finally {
    database.close();
  }
}
