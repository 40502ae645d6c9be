import { changedFields, recordChange, type ChangeContext } from "../changes/changes.service.js";
import { errors } from "../errors.js";
import {
  attachVerifiedEmail,
  insertInitialIdentifiers,
  removeEmailInTransaction,
  toUserEmail,
  toUserPhone,
  updateEmailInTransaction,
  type UpdateEmailInput,
  type UserEmail,
  type UserPhone,
} from "../identifiers/identifiers.service.js";
import { normalizeEmail, normalizeName, normalizePhone } from "../identifiers/normalize.js";
import { generateId } from "../ids.js";
import { hashPassword, normalizeImportedDigest, type PasswordHasher } from "../passwords/hasher.js";
import { checkPassword } from "../passwords/policy.js";
import { checkProfileImage, removeProfileImages, replaceProfileImage, type UploadedImage } from "../profile-images/profile-images.service.js";
import { revokeSessionsOfUser } from "../sessions/sessions.service.js";
import { detachEmailFromSocialConnections, toSocialConnection, type SocialConnection } from "../social-connections/social-connections.service.js";
import type { SecondFactorState } from "../second-factors/second-factors.service.js";
import type { Db } from "../storage/db.js";
import {
  checkExternalId,
  checkMetadata,
  getUser,
  getUserWithOwnedRows,
  insertUserRecord,
  lockUser,
  normalizeUsername,
  patchUser,
  refreshUserDerivedColumns,
  type Metadata,
  type SecondFactorPolicy,
  type User,
} from "../users/users.service.js";

/**
 * What spans a whole user and so several domains: creating a user with its identifiers, the
 * details view, updates that cascade (disabling signs out, a new picture), and changing or
 * removing an email together with what points at it. Every domain below is reached through its service; none of
 * them calls back up here, so the domains form no cycle.
 */
export interface UserDetails {
  user: User;
  emails: UserEmail[];
  phones: UserPhone[];
  socialConnections: SocialConnection[];
  /** Whether an authenticator, backup codes and passkeys exist (storage/second-factor-state.ts). */
  secondFactors: SecondFactorState;
}

/**
 * A ChangeContext that also renders details already read (http/change-context.ts): creating or
 * updating a user knows the user's details once, for its event and its answer alike.
 */
export interface UserChangeContext extends ChangeContext {
  describeDetails(details: UserDetails): unknown;
}

// A user just created has no authenticator, backup codes or passkeys yet.
const NO_SECOND_FACTORS: SecondFactorState = { totpEnabled: false, hasBackupCodes: false, passkeysCount: 0 };

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
  /** The user's id in another system; unique per deployment. */
  externalId?: string;
  publicMetadata?: Metadata;
  privateMetadata?: Metadata;
  profileImage?: UploadedImage;
}

export interface UpdateUserInput {
  firstName?: string;
  lastName?: string;
  /** null removes the username. */
  username?: string | null;
  /** null removes it. */
  externalId?: string | null;
  publicMetadata?: Metadata;
  privateMetadata?: Metadata;
  disabled?: boolean;
  secondFactorPolicy?: SecondFactorPolicy;
  removeProfileImage?: boolean;
  profileImage?: UploadedImage;
}

/** The details view: the user, its identifiers and connections and its second-factor state, read in one statement. */
export async function getUserDetails(db: Db, deploymentId: string, userId: string): Promise<UserDetails> {
  const found = await getUserWithOwnedRows(db, deploymentId, userId);
  return {
    user: found.user,
    emails: found.emailRows.map(toUserEmail),
    phones: found.phoneRows.map(toUserPhone),
    socialConnections: found.socialConnectionRows.map(toSocialConnection),
    secondFactors: found.secondFactors,
  };
}

/**
 * Creates a user with its identifiers in one transaction. Identifiers given here are verified and
 * primary; the password is checked against the policy (unless skipped) and hashed before the
 * transaction opens, so no lock is held while argon2 runs.
 */
export async function createUser(db: Db, deploymentId: string, context: UserChangeContext, input: CreateUserInput): Promise<User> {
  const email = input.emailAddress === undefined ? undefined : normalizeEmail(input.emailAddress, "email_address");
  const phone = input.phoneNumber === undefined ? undefined : normalizePhone(input.phoneNumber);
  const username = input.username === undefined ? undefined : normalizeUsername(input.username);
  const firstName = input.firstName === undefined ? undefined : normalizeName(input.firstName, "first_name");
  const lastName = input.lastName === undefined ? undefined : normalizeName(input.lastName, "last_name");
  if (!email && !phone && !username) {
    throw errors.validation_failed(
      { email_address: "one of email_address, phone_number or username is required" },
      "A user needs at least one of email_address, phone_number or username.",
    );
  }
  const importedDigest = checkImportedPassword(input);
  if (importedDigest === null) {
    if (input.password !== undefined) checkPassword(input.password, "password", { skipPolicy: input.skipPasswordCheck === true });
    else if (!input.skipPasswordCheck) {
      throw errors.password_required();
    }
  }
  if (input.profileImage) checkProfileImage(input.profileImage);
  checkMetadata("public_metadata", input.publicMetadata);
  checkMetadata("private_metadata", input.privateMetadata);
  const externalId = input.externalId === undefined ? null : checkExternalId(input.externalId);
  const passwordHash = importedDigest ?? (input.password === undefined ? null : await hashPassword(input.password));

  return db.transaction().execute(async (trx) => {
    const now = Date.now();
    const userId = generateId("usr");
    // The identifier ids are chosen first so the users row is complete on its first insert.
    const primaryEmail = email && { id: generateId("eml"), ...email };
    const primaryPhone = phone && { id: generateId("phn"), ...phone };
    const user = await insertUserRecord(trx, deploymentId, {
      id: userId,
      firstName: firstName ?? "",
      lastName: lastName ?? "",
      username: username ?? null,
      passwordHash,
      publicMetadata: input.publicMetadata ?? {},
      privateMetadata: input.privateMetadata ?? {},
      primaryEmail: primaryEmail ? { id: primaryEmail.id, email: primaryEmail.email } : null,
      primaryPhone: primaryPhone ? { id: primaryPhone.id, phoneNumber: primaryPhone.phoneNumber } : null,
      nowMs: now,
      externalId,
    });
    const { emails, phones } = await insertInitialIdentifiers(trx, deploymentId, userId, { email: primaryEmail, phone: primaryPhone }, now);
    // The rows just written are the details (test/storage/user-write-path.test.ts compares them with a read); a picture changes the row, so it is read back.
    let details: UserDetails = { user, emails, phones, socialConnections: [], secondFactors: NO_SECOND_FACTORS };
    if (input.profileImage) {
      const profileImageId = await replaceProfileImage(trx, deploymentId, userId, input.profileImage, now);
      await patchUser(trx, deploymentId, userId, { profileImageId });
      details = await getUserDetails(trx, deploymentId, userId);
    }
    await recordChange(trx, deploymentId, context, {
      action: "user.create",
      target: { type: "user", id: userId },
      changes: changedFields({
        first_name: input.firstName,
        last_name: input.lastName,
        email_address: input.emailAddress,
        phone_number: input.phoneNumber,
        username: input.username,
        password: input.password ?? input.passwordDigest,
        public_metadata: input.publicMetadata,
        private_metadata: input.privateMetadata,
        profile_image: input.profileImage,
      }),
      events: [{ type: "user.created", data: context.describeDetails(details) }],
    });
    return details.user;
  });
}

/** A user a social sign-in creates: no password, one email the provider verified. */
export interface ProvenUserInput {
  firstName: string;
  lastName: string;
  emailAddress: string;
  /** How the provider proved the address, e.g. "oauth_google" (the email's verification_strategy). */
  verificationStrategy: string;
  profileImage?: UploadedImage;
}

/**
 * Inside the caller's transaction, so that the user and what comes with it (a social sign-in's
 * connection and session) are written together or not at all. The email is attached as the
 * identifiers service attaches a provider-verified address, and becomes the primary one.
 */
export async function createUserInTransaction(trx: Db, deploymentId: string, input: ProvenUserInput): Promise<User> {
  if (input.profileImage) checkProfileImage(input.profileImage);
  const now = Date.now();
  const userId = generateId("usr");
  await insertUserRecord(trx, deploymentId, {
    id: userId,
    firstName: input.firstName,
    lastName: input.lastName,
    username: null,
    passwordHash: null,
    publicMetadata: {},
    privateMetadata: {},
    primaryEmail: null,
    primaryPhone: null,
    nowMs: now,
  });
  await attachVerifiedEmail(trx, deploymentId, userId, input.emailAddress, input.verificationStrategy, now);
  if (input.profileImage) {
    const profileImageId = await replaceProfileImage(trx, deploymentId, userId, input.profileImage, now);
    await patchUser(trx, deploymentId, userId, { profileImageId });
  }
  return getUser(trx, deploymentId, userId);
}

/**
 * The digest to store when the user arrives with an imported password hash (users moving from
 * another provider keep their passwords), or null when none was sent. A malformed digest is a 400
 * now, not a user who can never sign in later.
 */
function checkImportedPassword(input: CreateUserInput): string | null {
  if (input.passwordDigest === undefined && input.passwordHasher === undefined) return null;
  if (input.password !== undefined) throw errors.validation_failed({ password_digest: "cannot be sent together with password" });
  if (input.passwordDigest === undefined) throw errors.validation_failed({ password_digest: "is required with password_hasher" });
  if (input.passwordHasher === undefined) throw errors.validation_failed({ password_hasher: "is required with password_digest" });
  const normalized = normalizeImportedDigest({ digest: input.passwordDigest, hasher: input.passwordHasher });
  if (!("stored" in normalized)) throw errors.invalid_password_digest(normalized.field, normalized.rule);
  return normalized.stored;
}

export async function updateUser(db: Db, deploymentId: string, context: UserChangeContext, userId: string, input: UpdateUserInput): Promise<UserDetails> {
  const username = input.username === undefined || input.username === null ? input.username : normalizeUsername(input.username);
  const externalId = input.externalId === undefined || input.externalId === null ? input.externalId : checkExternalId(input.externalId);
  const firstName = input.firstName === undefined ? undefined : normalizeName(input.firstName, "first_name");
  const lastName = input.lastName === undefined ? undefined : normalizeName(input.lastName, "last_name");
  checkMetadata("public_metadata", input.publicMetadata);
  checkMetadata("private_metadata", input.privateMetadata);
  if (input.profileImage) checkProfileImage(input.profileImage);
  if (input.profileImage && input.removeProfileImage) {
    throw errors.validation_failed({ remove_profile_image: "cannot be true when a new profile_image is sent" });
  }

  return db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const now = Date.now();
    let profileImageId: string | null | undefined;
    if (input.profileImage) profileImageId = await replaceProfileImage(trx, deploymentId, userId, input.profileImage, now);
    else if (input.removeProfileImage) {
      await removeProfileImages(trx, deploymentId, userId);
      profileImageId = null;
    }
    await patchUser(trx, deploymentId, userId, {
      firstName,
      lastName,
      username,
      externalId,
      publicMetadata: input.publicMetadata,
      privateMetadata: input.privateMetadata,
      disabled: input.disabled,
      secondFactorPolicy: input.secondFactorPolicy,
      profileImageId,
      updatedAt: now,
    });
    // A disabled user is signed out everywhere, at once.
    if (input.disabled === true) await revokeSessionsOfUser(trx, deploymentId, userId, now);
    // Only names and the username feed the derived columns (search text); metadata and flags leave them as they are.
    if (firstName !== undefined || lastName !== undefined || username !== undefined) await refreshUserDerivedColumns(trx, deploymentId, userId, now);
    // Read once, with the transaction: the event's document and the answer are the same state.
    const details = await getUserDetails(trx, deploymentId, userId);
    await recordChange(trx, deploymentId, context, {
      action: "user.update",
      target: { type: "user", id: userId },
      changes: changedFields({
        first_name: input.firstName,
        last_name: input.lastName,
        username: input.username,
        public_metadata: input.publicMetadata,
        private_metadata: input.privateMetadata,
        disabled: input.disabled,
        second_factor_policy: input.secondFactorPolicy,
        profile_image: input.profileImage ?? (input.removeProfileImage ? true : undefined),
      }),
      events: [{ type: "user.updated", data: context.describeDetails(details) }],
    });
    return details;
  });
}

/** Removes an email; a social connection keeps the provider's address but no longer points at the deleted row. */
export async function removeEmail(db: Db, deploymentId: string, context: ChangeContext, userId: string, emailId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await removeEmailInTransaction(trx, deploymentId, context, userId, emailId);
    await detachEmailFromSocialConnections(trx, deploymentId, userId, emailId);
  });
}

/**
 * Updates an email. A social connection vouched for the old address only: when the address
 * changes, the connection keeps its own address but no longer points at the row.
 */
export async function updateEmail(
  db: Db,
  deploymentId: string,
  context: ChangeContext,
  userId: string,
  emailId: string,
  input: UpdateEmailInput,
): Promise<UserEmail> {
  return db.transaction().execute(async (trx) => {
    const { updated, isNewValue } = await updateEmailInTransaction(trx, deploymentId, context, userId, emailId, input);
    if (isNewValue) await detachEmailFromSocialConnections(trx, deploymentId, userId, emailId);
    return updated;
  });
}
