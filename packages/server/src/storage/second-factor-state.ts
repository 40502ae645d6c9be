import { sql, type RawBuilder } from "kysely";
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

/** The three columns secondFactorStateColumns adds to a row, as either driver hands them back. */
export interface SecondFactorStateColumns {
  totp_enabled: unknown;
  has_backup_codes: unknown;
  passkeys_count: unknown;
}

/**
 * The second-factor state of the user in `userIdColumn` as three scalar subselects, so a read of
 * that user brings it in the same statement (the details view: one statement, bench/README.md).
 * The same subselects as findSecondFactorState, correlated to the row instead of a parameter.
 * Read them back with toSecondFactorState.
 */
export function secondFactorStateColumns(deploymentId: string, userIdColumn: string) {
  const owner = (table: string) => sql`${sql.table(table)}.deployment_id = ${deploymentId} AND ${sql.table(table)}.user_id = ${sql.ref(userIdColumn)}`;
  return [
    sql<unknown>`EXISTS (SELECT 1 FROM totp_authenticators WHERE ${owner("totp_authenticators")})`.as("totp_enabled"),
    sql<unknown>`EXISTS (SELECT 1 FROM backup_codes WHERE ${owner("backup_codes")})`.as("has_backup_codes"),
    sql<unknown>`(SELECT count(*) FROM passkeys WHERE ${owner("passkeys")})`.as("passkeys_count"),
  ] as const;
}

/** The state in a row of findSecondFactorState's or secondFactorStateColumns' columns (SQLite: 0/1; pg: booleans, count as text). */
export function toSecondFactorState(row: SecondFactorStateColumns): SecondFactorState {
  return { totpEnabled: Boolean(row.totp_enabled), hasBackupCodes: Boolean(row.has_backup_codes), passkeysCount: Number(row.passkeys_count ?? 0) };
}

/**
 * Whether the user has an authenticator and unused backup codes, and how many passkeys: one
 * query for sign-in and passkey changes (the details view reads it with the user, secondFactorStateColumns), reading the second-factors and passkeys tables
 * (written only by their own storage).
 */
export async function findSecondFactorState(db: Db, deploymentId: string, userId: string): Promise<SecondFactorState> {
  const [row] = await selectSecondFactorState(db, deploymentId, userId);
  return toSecondFactorState(row!);
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

/**
 * findUsersWithSecondFactor's answer for the user in `userIdColumn`, as a column of a SQLite page's
 * own statement. SQLite computes a row's result columns only once it has skipped the OFFSET's rows,
 * so the two probes run for the page's rows alone (timed at offset 9,000: no dearer than without
 * them); a Postgres scan projects the skipped rows too, so its pages ask findUsersWithSecondFactor.
 */
export function twoFactorEnabledColumn(deploymentId: string, userIdColumn: string): RawBuilder<unknown> {
  const owner = (table: string) => sql`${sql.table(table)}.deployment_id = ${deploymentId} AND ${sql.table(table)}.user_id = ${sql.ref(userIdColumn)}`;
  return sql`(EXISTS (SELECT 1 FROM totp_authenticators WHERE ${owner("totp_authenticators")}) OR EXISTS (SELECT 1 FROM backup_codes WHERE ${owner("backup_codes")}))`;
}
