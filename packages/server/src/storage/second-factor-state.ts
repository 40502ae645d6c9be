import type { Db } from "./db.js";
import { reusableQuery } from "./reusable-query.js";

export interface SecondFactorState {
  totpEnabled: boolean;
  hasBackupCodes: boolean;
  passkeysCount: number;
}

// Read with every user's details (the hottest read): built and compiled once per dialect (reusable-query.ts).
const selectSecondFactorState = reusableQuery(2, (db: Db, deploymentId: string, userId: string) =>
  db.selectNoFrom((eb) => [
    eb.exists(eb.selectFrom("totp_authenticators").select("id").where("deployment_id", "=", deploymentId).where("user_id", "=", userId)).as("totp_enabled"),
    eb.exists(eb.selectFrom("backup_codes").select("id").where("deployment_id", "=", deploymentId).where("user_id", "=", userId)).as("has_backup_codes"),
    eb
      .selectFrom("passkeys")
      .select((inner) => inner.fn.countAll<number>().as("count"))
      .where("deployment_id", "=", deploymentId)
      .where("user_id", "=", userId)
      .as("passkeys_count"),
  ]),
);

/**
 * Whether the user has an authenticator and unused backup codes, and how many passkeys: one
 * query for the user's details and for sign-in, reading the second-factors and passkeys tables
 * (written only by their own storage).
 */
export async function findSecondFactorState(db: Db, deploymentId: string, userId: string): Promise<SecondFactorState> {
  const [row] = await selectSecondFactorState(db, deploymentId, userId);
  return { totpEnabled: Boolean(row!.totp_enabled), hasBackupCodes: Boolean(row!.has_backup_codes), passkeysCount: Number(row!.passkeys_count ?? 0) };
}

/**
 * Which of these users have a second factor that password sign-in asks for (an authenticator or
 * unused backup codes; a passkey is a first factor here), for a page of a list: one statement
 * probing both tables' user_id indexes (migration 0006) for the page's users only.
 */
export async function findUsersWithSecondFactor(db: Db, deploymentId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("totp_authenticators")
    .select("user_id")
    .where("deployment_id", "=", deploymentId)
    .where("user_id", "in", userIds)
    .union(db.selectFrom("backup_codes").select("user_id").where("deployment_id", "=", deploymentId).where("user_id", "in", userIds))
    .execute();
  return new Set(rows.map((row) => row.user_id));
}
