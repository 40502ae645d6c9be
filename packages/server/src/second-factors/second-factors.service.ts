import { randomInt } from "node:crypto";
import { recordChangeBy, type ActorContext, type OutboxEvent } from "../changes/changes.service.js";
import type { SecretBox } from "../crypto/secret-box.js";
import { getAppName } from "../deployments/deployments.service.js";
import { errors } from "../errors.js";
import { generateId } from "../ids.js";
import { hashPassword, normalizeImportedDigest, verifyPassword } from "../passwords/hasher.js";
import type { Db } from "../storage/db.js";
import { uniqueViolationOf } from "../storage/dialect.js";
import { getUser, requireUser } from "../users/users.service.js";
import {
  claimTotpStep,
  deleteBackupCode,
  deleteTotpAuthenticator,
  findTotpAuthenticator,
  findTotpAuthenticatorSecret,
  insertBackupCodes,
  insertTotpAuthenticator,
  insertTotpAuthenticators,
  listBackupCodeHashes,
  listBackupCodeHashesOfUsers,
  listTotpSecretsOfUsers,
  replaceBackupCodes,
  updateTotpSecretSealed,
} from "./second-factors.storage.js";
import { findSecondFactorState, type SecondFactorState } from "../storage/second-factor-state.js";
import { MIN_TOTP_SECRET_BYTES, decodeBase32, matchTotpStep, normalizeBase32Secret, otpAuthUrl } from "./totp.js";
import { toAuthenticatorJson, toBackupCodesIssuedJson } from "./second-factors.schemas.js";

export type { SecondFactorState };
export type SecondFactorStrategy = "totp" | "backup_code";

export const BACKUP_CODE_COUNT = 12;
const BACKUP_CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

const totpSecretContext = (authenticatorId: string) => `totp_secret:${authenticatorId}`;

export interface CreateAuthenticatorInput {
  secret: string;
  accountName?: string;
}

/**
 * Enrols the admin-supplied secret as the user's authenticator. The checks run in the
 * reference server's order (secret, user, an active authenticator, account name), so clients
 * see the same error first. The secret is sealed before it is written and never returned again
 * except inside this one answer's otpauth URL.
 */
export async function createAuthenticator(
  db: Db,
  secretBox: SecretBox,
  deploymentId: string,
  context: ActorContext,
  userId: string,
  input: CreateAuthenticatorInput,
): Promise<{ id: string; otpUrl: string }> {
  const secret = normalizeBase32Secret(input.secret);
  if (secret === null || decodeBase32(secret).length < MIN_TOTP_SECRET_BYTES) throw errors.invalid_totp_secret();
  const user = await getUser(db, deploymentId, userId);
  if (await findTotpAuthenticator(db, deploymentId, userId)) throw errors.authenticator_exists();
  const givenName = input.accountName?.trim() || undefined;
  if (givenName?.includes(":")) throw errors.invalid_account_name();
  const fullName = `${user.firstName} ${user.lastName}`.trim();
  const accountName = givenName ?? user.primaryEmailAddress ?? user.username ?? (fullName || `user-${user.id}`);

  const nowMs = Date.now();
  const id = generateId("tot", nowMs);
  const authenticator = { id, userId, accountName, createdAt: nowMs };
  try {
    await db.transaction().execute(async (trx) => {
      const before = await findSecondFactorState(trx, deploymentId, userId);
      await insertTotpAuthenticator(trx, deploymentId, { ...authenticator, secretSealed: secretBox.seal(secret, totpSecretContext(id)) });
      await recordChangeBy(trx, deploymentId, context, {
        action: "authenticator.create",
        target: { type: "authenticator", id },
        userId,
        changes: input.accountName === undefined ? ["secret"] : ["secret", "account_name"],
        events: [
          { type: "authenticator.created", data: toAuthenticatorJson(authenticator) },
          ...(await userUpdatedIfVisible(trx, deploymentId, context, userId, before)),
        ],
      });
    });
  } catch (error) {
    // Two enrolments raced past the check above: the unique index keeps one.
    if (uniqueViolationOf(error) !== null) throw errors.authenticator_exists();
    throw error;
  }
  return { id, otpUrl: otpAuthUrl(await getAppName(db, deploymentId), accountName, secret) };
}

/** Removes the active authenticator; backup codes stay. */
export async function removeAuthenticator(db: Db, deploymentId: string, context: ActorContext, userId: string): Promise<void> {
  await requireUser(db, deploymentId, userId);
  await db.transaction().execute(async (trx) => {
    const before = await findSecondFactorState(trx, deploymentId, userId);
    const authenticator = await findTotpAuthenticator(trx, deploymentId, userId);
    if (!authenticator || !(await deleteTotpAuthenticator(trx, deploymentId, userId))) throw errors.authenticator_not_found(userId);
    await recordChangeBy(trx, deploymentId, context, {
      action: "authenticator.delete",
      target: { type: "authenticator", id: authenticator.id },
      userId,
      events: [
        { type: "authenticator.deleted", data: { id: authenticator.id, deleted: true } },
        ...(await userUpdatedIfVisible(trx, deploymentId, context, userId, before)),
      ],
    });
  });
}

/**
 * The details document shows `totp_enabled`, `has_backup_codes` and `passkeys_count`: a change
 * that flips one of them is also a `user.updated` (with the new document), one that leaves them
 * as they were (a 13th code used of 12, a regeneration over codes still left) is not.
 */
export async function userUpdatedIfVisible(
  trx: Db,
  deploymentId: string,
  context: ActorContext,
  userId: string,
  before: SecondFactorState,
): Promise<OutboxEvent[]> {
  const after = await findSecondFactorState(trx, deploymentId, userId);
  const same = after.totpEnabled === before.totpEnabled && after.hasBackupCodes === before.hasBackupCodes && after.passkeysCount === before.passkeysCount;
  return same ? [] : [{ type: "user.updated", data: await context.describeUser(trx, deploymentId, userId) }];
}

/** A code like "aB3d-9XyZ": 8 characters over A-Z a-z 0-9 (≈ 47.6 bits), drawn without modulo bias. */
function generateBackupCode(): string {
  let code = "";
  for (let i = 0; i < 8; i++) code += BACKUP_CODE_ALPHABET[randomInt(BACKUP_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What is hashed and compared: the code without its separator or surrounding spaces, case kept. */
const backupCodeKey = (code: string) => code.replace(/[\s-]/g, "");

/**
 * Twelve fresh codes, returned once; the previous set stops working in the same transaction.
 * Each is stored as an argon2id hash, like a password: 47 bits of randomness would fall to a
 * fast hash on a GPU within hours if the database leaked. The cost (12 hashes here, up to 12
 * verifications per use) is paid only by admins regenerating and by attempts that already
 * passed the sign-in failure throttle.
 */
export async function regenerateBackupCodes(db: Db, deploymentId: string, context: ActorContext, userId: string): Promise<string[]> {
  await requireUser(db, deploymentId, userId);
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, generateBackupCode);
  // One at a time: twelve at once would hold all four of libuv's threads, and every sign-in
  // and password change of every other user needs one too.
  const hashes: string[] = [];
  for (const code of codes) hashes.push(await hashPassword(backupCodeKey(code)));
  const nowMs = Date.now();
  await db.transaction().execute(async (trx) => {
    await requireUser(trx, deploymentId, userId);
    const before = await findSecondFactorState(trx, deploymentId, userId);
    await replaceBackupCodes(
      trx,
      deploymentId,
      userId,
      hashes.map((codeHash) => ({ id: generateId("bkc", nowMs), codeHash })),
      nowMs,
    );
    await recordChangeBy(trx, deploymentId, context, {
      action: "backup_codes.regenerate",
      target: { type: "user", id: userId },
      changes: ["backup_codes"],
      events: [
        { type: "backup_codes.regenerated", data: toBackupCodesIssuedJson(userId, codes.length, nowMs) },
        ...(await userUpdatedIfVisible(trx, deploymentId, context, userId, before)),
      ],
    });
  });
  return codes;
}

export async function getSecondFactorState(db: Db, deploymentId: string, userId: string): Promise<SecondFactorState> {
  return findSecondFactorState(db, deploymentId, userId);
}

/**
 * Checks a TOTP code and uses it up: true only for a code of the current step ±1 that is newer
 * than every code accepted before (so a code never works twice, on any instance).
 */
export async function useTotpCode(
  db: Db,
  secretBox: SecretBox,
  deploymentId: string,
  context: ActorContext,
  userId: string,
  code: string,
  nowMs = Date.now(),
): Promise<boolean> {
  const authenticator = await findTotpAuthenticatorSecret(db, deploymentId, userId);
  if (!authenticator) return false;
  const sealContext = totpSecretContext(authenticator.id);
  const normalizedSecret = secretBox.open(authenticator.secretSealed, sealContext);
  // After a key rotation the old key still opens it; reseal it under the current one on this use.
  if (secretBox.isSealedWithOldKey(authenticator.secretSealed)) {
    await updateTotpSecretSealed(db, deploymentId, authenticator.id, secretBox.seal(normalizedSecret, sealContext));
  }
  const secret = decodeBase32(normalizedSecret);
  const step = matchTotpStep(secret, code.replace(/\s/g, ""), nowMs);
  if (step === null || step <= authenticator.lastUsedStep) return false;
  return db.transaction().execute(async (trx) => {
    if (!(await claimTotpStep(trx, deploymentId, authenticator.id, step, nowMs))) return false;
    // Nothing the details document shows changes: an audit entry when an admin checked it, no event.
    await recordChangeBy(trx, deploymentId, context, {
      action: "authenticator.use",
      target: { type: "authenticator", id: authenticator.id },
      userId,
      changes: ["last_used_step"],
    });
    return true;
  });
}

/** Checks a backup code and uses it up (deleted by the statement that claims it, so it works once). */
export async function useBackupCode(db: Db, deploymentId: string, context: ActorContext, userId: string, code: string): Promise<boolean> {
  const key = backupCodeKey(code);
  if (!/^[A-Za-z0-9]{8}$/.test(key)) return false;
  // One verification at a time (see regenerateBackupCodes), stopping at the match: which of the
  // user's codes it was is no secret worth hiding behind the time taken. The hashing runs
  // before the transaction, which only claims the code.
  for (const entry of await listBackupCodeHashes(db, deploymentId, userId)) {
    if (await verifyPassword(entry.codeHash, key)) return claimBackupCode(db, deploymentId, context, userId, entry.id);
  }
  return false;
}

/** Deletes the matched code and records it; the last code gone turns has_backup_codes false: a user.updated. */
function claimBackupCode(db: Db, deploymentId: string, context: ActorContext, userId: string, codeId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await findSecondFactorState(trx, deploymentId, userId);
    if (!(await deleteBackupCode(trx, deploymentId, userId, codeId))) return false;
    await recordChangeBy(trx, deploymentId, context, {
      action: "backup_code.use",
      target: { type: "user", id: userId },
      changes: ["backup_codes"],
      events: await userUpdatedIfVisible(trx, deploymentId, context, userId, before),
    });
    return true;
  });
}

/**
 * Uses a second-factor code of the given kind; false when it is wrong, expired or already used.
 * The use is recorded in the transaction that claims the code: audited for an admin's check
 * (POST /users/{id}/verify-totp), events only for the user's own sign-in.
 */
export function useSecondFactorCode(
  db: Db,
  secretBox: SecretBox,
  deploymentId: string,
  context: ActorContext,
  userId: string,
  strategy: SecondFactorStrategy,
  code: string,
): Promise<boolean> {
  return strategy === "totp" ? useTotpCode(db, secretBox, deploymentId, context, userId, code) : useBackupCode(db, deploymentId, context, userId, code);
}

/** Which kind a code presented without one is: six digits are a TOTP code, anything else a backup code. */
export const strategyOfCode = (code: string): SecondFactorStrategy => (/^\s*\d{6}\s*$/.test(code) ? "totp" : "backup_code");

// ---- Bulk import and export (import/): many users at once, inside the caller's transaction ----

/** An imported TOTP secret as we store it (normalized base32), or null when it is not base32 of at least 128 bits. */
export function checkImportedTotpSecret(raw: string): string | null {
  const secret = normalizeBase32Secret(raw);
  return secret === null || decodeBase32(secret).length < MIN_TOTP_SECRET_BYTES ? null : secret;
}

/**
 * An imported backup code: a plain code sign-in accepts (8 letters or digits, dashes and spaces
 * ignored), still to be hashed, or a bcrypt / argon2 hash of one, kept as it is. Null: neither.
 */
export function checkImportedBackupCode(code: string): { plain: string } | { hash: string } | null {
  const hasher = /^\$2[aby]\$/.test(code) ? "bcrypt" : code.startsWith("$argon2id$") ? "argon2id" : code.startsWith("$argon2i$") ? "argon2i" : null;
  if (hasher !== null) {
    const normalized = normalizeImportedDigest({ digest: code, hasher });
    return "stored" in normalized ? { hash: normalized.stored } : null;
  }
  const key = backupCodeKey(code);
  return /^[A-Za-z0-9]{8}$/.test(key) ? { plain: key } : null;
}

/** A plain imported backup code (checkImportedBackupCode's `plain`) hashed as issued codes are. */
export const hashImportedBackupCode = (plain: string): Promise<string> => hashPassword(plain);

export interface ImportedSecondFactors {
  userId: string;
  /** Normalized base32 (checkImportedTotpSecret); sealed here before it is written. */
  totpSecret: string | null;
  accountName: string;
  /** Hashes (hashImportedBackupCode, or imported ones). */
  backupCodeHashes: string[];
  createdAt: number;
}

/**
 * Writes imported users' authenticators and backup codes in two multi-row statements, with the
 * caller's transaction. `replace`: the users may have some already (an import's update), which
 * the imported ones replace; only the kinds an entry carries are touched.
 */
export async function insertImportedSecondFactors(
  trx: Db,
  secretBox: SecretBox,
  deploymentId: string,
  entries: ImportedSecondFactors[],
  options: { replace?: boolean } = {},
): Promise<void> {
  const authenticators = entries.flatMap((entry) => {
    if (entry.totpSecret === null) return [];
    const id = generateId("tot", entry.createdAt);
    return [
      {
        id,
        userId: entry.userId,
        secretSealed: secretBox.seal(entry.totpSecret, totpSecretContext(id)),
        accountName: entry.accountName,
        createdAt: entry.createdAt,
      },
    ];
  });
  const codes = entries.flatMap((entry) =>
    entry.backupCodeHashes.map((codeHash) => ({ id: generateId("bkc", entry.createdAt), userId: entry.userId, codeHash, createdAt: entry.createdAt })),
  );
  if (options.replace) {
    for (const authenticator of authenticators) await deleteTotpAuthenticator(trx, deploymentId, authenticator.userId);
    for (const entry of entries) if (entry.backupCodeHashes.length > 0) await replaceBackupCodes(trx, deploymentId, entry.userId, [], entry.createdAt);
  }
  for (let start = 0; start < authenticators.length; start += 500) await insertTotpAuthenticators(trx, deploymentId, authenticators.slice(start, start + 500));
  for (let start = 0; start < codes.length; start += 1000) await insertBackupCodes(trx, deploymentId, codes.slice(start, start + 1000));
}

/** For `wacht export --include-second-factors`: each user's TOTP secret (opened) and backup code hashes. */
export async function exportSecondFactorsOfUsers(
  db: Db,
  secretBox: SecretBox,
  deploymentId: string,
  userIds: string[],
): Promise<Map<string, { totpSecret: string | null; backupCodeHashes: string[] }>> {
  const [secrets, codes] = await Promise.all([listTotpSecretsOfUsers(db, deploymentId, userIds), listBackupCodeHashesOfUsers(db, deploymentId, userIds)]);
  const byUser = new Map<string, { totpSecret: string | null; backupCodeHashes: string[] }>();
  const entryOf = (userId: string) => byUser.get(userId) ?? byUser.set(userId, { totpSecret: null, backupCodeHashes: [] }).get(userId)!;
  for (const secret of secrets) entryOf(secret.userId).totpSecret = secretBox.open(secret.secretSealed, totpSecretContext(secret.id));
  for (const code of codes) entryOf(code.userId).backupCodeHashes.push(code.codeHash);
  return byUser;
}
