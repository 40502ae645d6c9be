import { withUniqueConflicts } from "../conflicts.js";
import { NotFoundError, ValidationError, userNotFound } from "../errors.js";
import { attachVerifiedEmail, lockUser } from "../identifiers/identifiers.service.js";
import { generateId } from "../ids.js";
import type { Db } from "../storage/db.js";
import { findUser } from "../users/users.storage.js";
import {
  deleteSocialConnectionRow,
  insertSocialConnection,
  listSocialConnections,
  type SocialConnection,
} from "./social-connections.storage.js";

export type { SocialConnection };

const PROVIDER_PATTERN = /^[a-z][a-z0-9_]{1,39}$/;

/** "google" and "google_oauth" name the same provider; we store the second, as the wire protocol shows it. */
function normalizeProvider(raw: string): string {
  const provider = raw.trim().toLowerCase();
  if (!PROVIDER_PATTERN.test(provider)) throw ValidationError.field("provider", "must be a provider name such as \"google\" or \"github_oauth\"");
  return provider.endsWith("_oauth") ? provider : `${provider}_oauth`;
}

export async function getSocialConnections(db: Db, deploymentId: string, userId: string): Promise<SocialConnection[]> {
  if (!(await findUser(db, deploymentId, userId))) throw userNotFound(userId);
  return listSocialConnections(db, deploymentId, userId);
}

/**
 * Links an OAuth identity to a user (for users migrating from another provider). Its email, when
 * given, is added to the user as verified by that provider unless the user already has it.
 */
export async function linkSocialConnection(
  db: Db,
  deploymentId: string,
  userId: string,
  input: { provider: string; providerUserId: string; emailAddress?: string },
): Promise<SocialConnection> {
  const provider = normalizeProvider(input.provider);
  const providerUserId = input.providerUserId.trim();
  if (providerUserId.length < 1 || providerUserId.length > 255) throw ValidationError.field("provider_user_id", "must be 1 to 255 characters");
  return db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const now = Date.now();
    const emailId = input.emailAddress
      ? await attachVerifiedEmail(trx, deploymentId, userId, input.emailAddress, `oauth_${provider.replace(/_oauth$/, "")}`, now)
      : null;
    return withUniqueConflicts(() =>
      insertSocialConnection(trx, {
        id: generateId("sca"),
        deployment_id: deploymentId,
        user_id: userId,
        user_email_address_id: emailId,
        provider,
        provider_user_id: providerUserId,
        email_address: input.emailAddress?.trim() ?? null,
        created_at: now,
        updated_at: now,
      }),
    );
  });
}

/** Unlinks the connection; the email it brought stays with the user, as a verified address. */
export async function unlinkSocialConnection(db: Db, deploymentId: string, userId: string, connectionId: string): Promise<void> {
  if (!(await findUser(db, deploymentId, userId))) throw userNotFound(userId);
  const deleted = await deleteSocialConnectionRow(db, deploymentId, userId, connectionId);
  if (!deleted) throw new NotFoundError(`User '${userId}' has no social connection '${connectionId}'.`, "social_connection_not_found");
}
