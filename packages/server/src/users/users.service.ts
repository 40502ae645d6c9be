import { withUniqueConflicts } from "../conflicts.js";
import { ValidationError, userNotFound } from "../errors.js";
import { lockUser } from "../identifiers/identifiers.service.js";
import { insertEmail, insertPhone, listEmails, listPhones, type UserEmail, type UserPhone } from "../identifiers/identifiers.storage.js";
import { normalizeEmail, normalizePhone, normalizeUsername } from "../identifiers/normalize.js";
import { generateId } from "../ids.js";
import { hashPassword, normalizeImportedDigest, type PasswordHasher } from "../passwords/hasher.js";
import { checkPassword } from "../passwords/policy.js";
import { checkProfileImage, removeProfileImages, replaceProfileImage, type UploadedImage } from "../profile-images/profile-images.service.js";
import { revokeSessions } from "../sessions/sessions.storage.js";
import { listSocialConnections, type SocialConnection } from "../social-connections/social-connections.storage.js";
import type { Db } from "../storage/db.js";
import {
  deleteUserRow,
  deriveUserColumns,
  findUser,
  insertUser,
  listUsers,
  refreshUserDerivedColumns,
  updateUserRow,
  type SecondFactorPolicy,
  type User,
  type UserListQuery,
} from "./users.storage.js";

export type { User, UserListQuery };

export interface UserDetails {
  user: User;
  emails: UserEmail[];
  phones: UserPhone[];
  socialConnections: SocialConnection[];
}

export type Metadata = Record<string, unknown>;

export interface CreateUserInput {
  firstName?: string;
  lastName?: string;
  emailAddress?: string;
  phoneNumber?: string;
  username?: string;
  password?: string;
  /** A hash imported from another provider, in place of `password`; replaced by ours at the next sign-in. */
  passwordDigest?: string;
  passwordHasher?: PasswordHasher;
  skipPasswordCheck?: boolean;
  publicMetadata?: Metadata;
  privateMetadata?: Metadata;
  profileImage?: UploadedImage;
}

export interface UpdateUserInput {
  firstName?: string;
  lastName?: string;
  /** null removes the username. */
  username?: string | null;
  publicMetadata?: Metadata;
  privateMetadata?: Metadata;
  disabled?: boolean;
  secondFactorPolicy?: SecondFactorPolicy;
  removeProfileImage?: boolean;
  profileImage?: UploadedImage;
}

// Metadata rides along on every user read; a cap keeps one user from slowing every list.
export const MAX_METADATA_BYTES = 32 * 1024;

function serializeMetadata(field: string, value: Metadata | undefined): string | undefined {
  if (value === undefined) return undefined;
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) > MAX_METADATA_BYTES) throw ValidationError.field(field, `must be at most ${MAX_METADATA_BYTES} bytes as JSON`);
  return json;
}

export async function getUser(db: Db, deploymentId: string, userId: string): Promise<User> {
  const user = await findUser(db, deploymentId, userId);
  if (!user) throw userNotFound(userId);
  return user;
}

export async function getUserDetails(db: Db, deploymentId: string, userId: string): Promise<UserDetails> {
  const user = await getUser(db, deploymentId, userId);
  const [emails, phones, socialConnections] = await Promise.all([
    listEmails(db, deploymentId, userId),
    listPhones(db, deploymentId, userId),
    listSocialConnections(db, deploymentId, userId),
  ]);
  return { user, emails, phones, socialConnections };
}

export { listUsers };

/**
 * Creates a user with its identifiers in one transaction. Identifiers given here are verified and
 * primary; the password is checked against the policy (unless skipped) and hashed before the
 * transaction opens, so no lock is held while argon2 runs.
 */
export async function createUser(db: Db, deploymentId: string, input: CreateUserInput): Promise<User> {
  const email = input.emailAddress === undefined ? undefined : normalizeEmail(input.emailAddress, "email_address");
  const phone = input.phoneNumber === undefined ? undefined : normalizePhone(input.phoneNumber);
  const username = input.username === undefined ? undefined : normalizeUsername(input.username);
  if (!email && !phone && !username) {
    throw new ValidationError("A user needs at least one of email_address, phone_number or username.", {
      email_address: "one of email_address, phone_number or username is required",
    });
  }
  const importedDigest = checkImportedPassword(input);
  if (importedDigest === null) {
    if (input.password !== undefined) checkPassword(input.password, "password", { skipPolicy: input.skipPasswordCheck === true });
    else if (!input.skipPasswordCheck) {
      throw ValidationError.field("password", "is required unless skip_password_check is true", "password_required");
    }
  }
  if (input.profileImage) checkProfileImage(input.profileImage);
  const publicMetadata = serializeMetadata("public_metadata", input.publicMetadata) ?? "{}";
  const privateMetadata = serializeMetadata("private_metadata", input.privateMetadata) ?? "{}";
  const passwordHash = importedDigest ?? (input.password === undefined ? null : await hashPassword(input.password));

  return db.transaction().execute(async (trx) => {
    const now = Date.now();
    const userId = generateId("usr");
    const identifier = { deployment_id: deploymentId, user_id: userId, is_primary: true, verified: true, verified_at: now, created_at: now, updated_at: now };
    const emailRow = email && { ...identifier, id: generateId("eml"), email: email.email, email_normalized: email.normalized, verification_strategy: "otp" };
    const phoneRow = phone && { ...identifier, id: generateId("phn"), phone_number: phone.phoneNumber, country_code: phone.countryCode };
    const names = { first_name: input.firstName ?? "", last_name: input.lastName ?? "", username: username?.username ?? null };
    // The primary ids and search text are known before anything is written: the row is complete on its first insert.
    const derived = deriveUserColumns(
      names,
      emailRow ? [{ id: emailRow.id, email: emailRow.email, isPrimary: true }] : [],
      phoneRow ? [{ id: phoneRow.id, phoneNumber: phoneRow.phone_number, isPrimary: true }] : [],
    );
    await withUniqueConflicts(() =>
      insertUser(trx, {
        id: userId,
        deployment_id: deploymentId,
        ...names,
        ...derived,
        username_normalized: username?.normalized ?? null,
        password_hash: passwordHash,
        last_password_reset_at: null,
        disabled: false,
        second_factor_policy: "none",
        public_metadata: publicMetadata,
        private_metadata: privateMetadata,
        profile_image_id: null,
        created_at: now,
        updated_at: now,
        last_sign_in_at: null,
        locked_until: null,
      }),
    );
    if (emailRow) await withUniqueConflicts(() => insertEmail(trx, emailRow));
    if (phoneRow) await withUniqueConflicts(() => insertPhone(trx, phoneRow));
    if (input.profileImage) {
      const imageId = await replaceProfileImage(trx, deploymentId, userId, input.profileImage, now);
      await updateUserRow(trx, deploymentId, userId, { profile_image_id: imageId });
    }
    return (await findUser(trx, deploymentId, userId))!;
  });
}

/**
 * The digest to store when the user arrives with an imported password hash (users moving from
 * another provider keep their passwords), or null when none was sent. A malformed digest is a 400
 * now, not a user who can never sign in later.
 */
function checkImportedPassword(input: CreateUserInput): string | null {
  if (input.passwordDigest === undefined && input.passwordHasher === undefined) return null;
  if (input.password !== undefined) throw ValidationError.field("password_digest", "cannot be sent together with password");
  if (input.passwordDigest === undefined) throw ValidationError.field("password_digest", "is required with password_hasher");
  if (input.passwordHasher === undefined) throw ValidationError.field("password_hasher", "is required with password_digest");
  const normalized = normalizeImportedDigest({ digest: input.passwordDigest, hasher: input.passwordHasher });
  if (!("stored" in normalized)) throw ValidationError.field(normalized.field, normalized.rule, "invalid_password_digest");
  return normalized.stored;
}

export async function updateUser(db: Db, deploymentId: string, userId: string, input: UpdateUserInput): Promise<UserDetails> {
  const username = input.username === undefined || input.username === null ? input.username : normalizeUsername(input.username);
  const publicMetadata = serializeMetadata("public_metadata", input.publicMetadata);
  const privateMetadata = serializeMetadata("private_metadata", input.privateMetadata);
  if (input.profileImage) checkProfileImage(input.profileImage);
  if (input.profileImage && input.removeProfileImage) {
    throw ValidationError.field("remove_profile_image", "cannot be true when a new profile_image is sent");
  }

  await db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const now = Date.now();
    let profileImageId: string | null | undefined;
    if (input.profileImage) profileImageId = await replaceProfileImage(trx, deploymentId, userId, input.profileImage, now);
    else if (input.removeProfileImage) {
      await removeProfileImages(trx, deploymentId, userId);
      profileImageId = null;
    }
    await withUniqueConflicts(() =>
      updateUserRow(trx, deploymentId, userId, {
        ...(input.firstName !== undefined && { first_name: input.firstName }),
        ...(input.lastName !== undefined && { last_name: input.lastName }),
        ...(username !== undefined && { username: username?.username ?? null, username_normalized: username?.normalized ?? null }),
        ...(publicMetadata !== undefined && { public_metadata: publicMetadata }),
        ...(privateMetadata !== undefined && { private_metadata: privateMetadata }),
        ...(input.disabled !== undefined && { disabled: input.disabled }),
        ...(input.secondFactorPolicy !== undefined && { second_factor_policy: input.secondFactorPolicy }),
        ...(profileImageId !== undefined && { profile_image_id: profileImageId }),
        updated_at: now,
      }),
    );
    // A disabled user is signed out everywhere, at once.
    if (input.disabled === true) await revokeSessions(trx, deploymentId, userId, now);
    await refreshUserDerivedColumns(trx, deploymentId, userId, now);
  });
  return getUserDetails(db, deploymentId, userId);
}

/** Deletes the user; emails, phones, social connections, sessions and images go in the same statement. */
export async function deleteUser(db: Db, deploymentId: string, userId: string): Promise<void> {
  const deleted = await deleteUserRow(db, deploymentId, userId);
  if (!deleted) throw userNotFound(userId);
}
