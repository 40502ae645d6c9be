import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { recordChangeBy, type ActorContext } from "../changes/changes.service.js";
import { errors } from "../errors.js";
import { userUpdatedIfVisible } from "../second-factors/second-factors.service.js";
import { findSecondFactorState } from "../storage/second-factor-state.js";
import { generateId } from "../ids.js";
import { onFirstUse } from "../on-first-use.js";
import type { Db } from "../storage/db.js";
import { uniqueViolationOf } from "../storage/dialect.js";
import { getUser, lockUser, requireUser } from "../users/users.service.js";
import {
  consumeWebauthnChallenge,
  deletePasskey,
  findPasskeyByCredentialId,
  insertPasskey,
  insertWebauthnChallenge,
  listCredentialIds,
  listPasskeys,
  recordPasskeyUse,
  updatePasskeyName,
  type Passkey,
  type PasskeyDeviceType,
} from "./passkeys.storage.js";
import { toPasskeyJson } from "./passkeys.schemas.js";
import {
  WEBAUTHN_CHALLENGE_LIFETIME_MS,
  isCounterRegression,
  signCountOf,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
  type RelyingParty,
} from "./webauthn.js";

type WebauthnLibrary = typeof import("@simplewebauthn/server");
/** Loaded on the first passkey call: the library and its X.509/ASN.1 stack cost ~25 MB and a second of start-up (bench/README.md). */
const webauthnLibrary = onFirstUse(() => import("@simplewebauthn/server"));

export type { Passkey, PasskeyDeviceType };

/** Where warnings about suspicious assertions go (the request's logger); never given secrets. */
export interface PasskeyLog {
  warn(details: Record<string, unknown>, message: string): void;
}

const DEFAULT_PASSKEY_NAME = "Passkey";

export async function listUserPasskeys(db: Db, deploymentId: string, userId: string): Promise<Passkey[]> {
  await requireUser(db, deploymentId, userId);
  return listPasskeys(db, deploymentId, userId);
}

function checkPasskeyName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw errors.invalid_passkey_name();
  return trimmed;
}

export async function renamePasskey(db: Db, deploymentId: string, context: ActorContext, userId: string, passkeyId: string, name: string): Promise<void> {
  const trimmed = checkPasskeyName(name);
  await requireUser(db, deploymentId, userId);
  await db.transaction().execute(async (trx) => {
    if (!(await updatePasskeyName(trx, deploymentId, userId, passkeyId, trimmed, Date.now()))) throw errors.passkey_not_found(userId, passkeyId);
    await recordChangeBy(trx, deploymentId, context, {
      action: "passkey.update",
      target: { type: "passkey", id: passkeyId },
      userId,
      changes: ["name"],
      events: [{ type: "passkey.updated", data: toPasskeyJson(await requirePasskey(trx, deploymentId, userId, passkeyId)) }],
    });
  });
}

/**
 * With the user's row locked, as the end user's unlink of a social connection holds it while it
 * counts passkeys as a way to sign in: the two cannot together take the user's last ways in.
 */
export async function removePasskey(db: Db, deploymentId: string, context: ActorContext, userId: string, passkeyId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const before = await findSecondFactorState(trx, deploymentId, userId);
    if (!(await deletePasskey(trx, deploymentId, userId, passkeyId))) throw errors.passkey_not_found(userId, passkeyId);
    await recordChangeBy(trx, deploymentId, context, {
      action: "passkey.delete",
      target: { type: "passkey", id: passkeyId },
      userId,
      events: [
        { type: "passkey.deleted", data: { id: passkeyId, deleted: true } },
        ...(await userUpdatedIfVisible(trx, deploymentId, context, userId, before)),
      ],
    });
  });
}

async function requirePasskey(db: Db, deploymentId: string, userId: string, passkeyId: string): Promise<Passkey> {
  const passkey = (await listPasskeys(db, deploymentId, userId)).find((candidate) => candidate.id === passkeyId);
  if (!passkey) throw errors.passkey_not_found(userId, passkeyId);
  return passkey;
}

async function storeChallenge(
  db: Db,
  deploymentId: string,
  userId: string | null,
  purpose: "registration" | "authentication",
  challenge: string,
): Promise<void> {
  const nowMs = Date.now();
  await insertWebauthnChallenge(db, deploymentId, {
    id: generateId("wac", nowMs),
    userId,
    purpose,
    challenge,
    createdAt: nowMs,
    expiresAt: nowMs + WEBAUTHN_CHALLENGE_LIFETIME_MS,
  });
}

/** Options for a signed-in user's browser to create a discoverable passkey; the challenge is kept server-side. */
export async function startPasskeyRegistration(
  db: Db,
  deploymentId: string,
  userId: string,
  relyingParty: RelyingParty,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const user = await getUser(db, deploymentId, userId);
  const fullName = `${user.firstName} ${user.lastName}`.trim();
  const options = await (
    await webauthnLibrary()
  ).generateRegistrationOptions({
    rpName: relyingParty.name,
    rpID: relyingParty.id,
    userName: user.primaryEmailAddress ?? user.username ?? user.primaryPhoneNumber ?? user.id,
    userDisplayName: fullName || undefined,
    // The user handle a discoverable credential returns at sign-in: our user id, nothing personal.
    userID: new Uint8Array(Buffer.from(user.id, "utf8")),
    timeout: WEBAUTHN_CHALLENGE_LIFETIME_MS,
    attestationType: "none",
    excludeCredentials: (await listCredentialIds(db, deploymentId, userId)).map((known) => ({ id: known.credentialId, transports: known.transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  await storeChallenge(db, deploymentId, userId, "registration", options.challenge);
  return options;
}

/** Verifies the browser's answer to the registration options and stores the passkey. */
export async function finishPasskeyRegistration(
  db: Db,
  deploymentId: string,
  context: ActorContext,
  userId: string,
  relyingParty: RelyingParty,
  input: { response: RegistrationResponseJSON; name?: string },
): Promise<Passkey> {
  const name = input.name === undefined ? DEFAULT_PASSKEY_NAME : checkPasskeyName(input.name);
  let verification: Awaited<ReturnType<WebauthnLibrary["verifyRegistrationResponse"]>>;
  try {
    verification = await (
      await webauthnLibrary()
    ).verifyRegistrationResponse({
      response: input.response,
      // Consumed here, whatever the outcome: a challenge works once, and only for the user it was issued to.
      expectedChallenge: async (challenge) => (await consumeWebauthnChallenge(db, deploymentId, challenge, "registration", Date.now()))?.userId === userId,
      expectedOrigin: relyingParty.origin,
      expectedRPID: relyingParty.id,
      requireUserVerification: true,
    });
  } catch (error) {
    throw errors.passkey_registration_failed(reasonOf(error));
  }
  if (!verification.verified) throw errors.passkey_registration_failed("the response did not verify");
  const { credential, aaguid, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  const deviceType: PasskeyDeviceType = input.response.authenticatorAttachment ?? (credentialDeviceType === "multiDevice" ? "platform" : "cross-platform");
  const nowMs = Date.now();
  const id = generateId("pky", nowMs);
  try {
    return await db.transaction().execute(async (trx) => {
      const before = await findSecondFactorState(trx, deploymentId, userId);
      await insertPasskey(trx, deploymentId, {
        id,
        userId,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString("base64url"),
        aaguid,
        name,
        signCount: credential.counter,
        transports: input.response.response.transports ?? credential.transports ?? [],
        deviceType,
        backedUp: credentialBackedUp,
        createdAt: nowMs,
      });
      const passkey = await requirePasskey(trx, deploymentId, userId, id);
      await recordChangeBy(trx, deploymentId, context, {
        action: "passkey.create",
        target: { type: "passkey", id },
        userId,
        changes: ["name"],
        events: [{ type: "passkey.created", data: toPasskeyJson(passkey) }, ...(await userUpdatedIfVisible(trx, deploymentId, context, userId, before))],
      });
      return passkey;
    });
  } catch (error) {
    if (uniqueViolationOf(error) !== null) throw errors.passkey_exists();
    throw error;
  }
}

/** Options for a passwordless sign-in: no credentials listed, the browser offers its discoverable passkeys. */
export async function startPasskeySignIn(db: Db, deploymentId: string, relyingParty: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await (
    await webauthnLibrary()
  ).generateAuthenticationOptions({ rpID: relyingParty.id, userVerification: "required", timeout: WEBAUTHN_CHALLENGE_LIFETIME_MS });
  await storeChallenge(db, deploymentId, null, "authentication", options.challenge);
  return options;
}

/**
 * Verifies an assertion: a known passkey, a live sign-in challenge (used up), the signature, and
 * a signature counter that moved forward — one that did not means two authenticators share the
 * key (a clone): refused and logged. Returns the user the passkey belongs to.
 */
export async function verifyPasskeyAssertion(
  db: Db,
  deploymentId: string,
  relyingParty: RelyingParty,
  response: AuthenticationResponseJSON,
  log: PasskeyLog,
): Promise<{ userId: string; passkeyId: string }> {
  const passkey = await findPasskeyByCredentialId(db, deploymentId, response.id);
  if (!passkey) throw errors.passkey_verification_failed("it is not registered here");
  const presentedCount = signCountOf(response.response.authenticatorData);
  if (presentedCount !== null && isCounterRegression(passkey.signCount, presentedCount)) {
    log.warn(
      { passkeyId: passkey.id, userId: passkey.userId, storedSignCount: passkey.signCount, presentedSignCount: presentedCount },
      "passkey signature counter went backwards: refused (possibly a cloned authenticator)",
    );
    throw errors.passkey_verification_failed("its signature counter went backwards");
  }
  let verification: Awaited<ReturnType<WebauthnLibrary["verifyAuthenticationResponse"]>>;
  try {
    verification = await (
      await webauthnLibrary()
    ).verifyAuthenticationResponse({
      response,
      expectedChallenge: async (challenge) => (await consumeWebauthnChallenge(db, deploymentId, challenge, "authentication", Date.now())) !== undefined,
      expectedOrigin: relyingParty.origin,
      expectedRPID: relyingParty.id,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, "base64url")),
        counter: passkey.signCount,
        transports: passkey.transports,
      },
      requireUserVerification: true,
    });
  } catch (error) {
    throw errors.passkey_verification_failed(reasonOf(error));
  }
  if (!verification.verified) throw errors.passkey_verification_failed("the signature did not verify");
  // The counter is claimed with the value checked above, so two assertions racing with one
  // counter value (a clone used at the same moment) cannot both pass.
  if (!(await recordPasskeyUse(db, deploymentId, passkey.id, passkey.signCount, verification.authenticationInfo.newCounter, Date.now()))) {
    throw errors.passkey_verification_failed("it was used by another sign-in at the same time");
  }
  return { userId: passkey.userId, passkeyId: passkey.id };
}

/** The library's message says what failed (challenge, origin, signature…) and holds no secret. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : "unknown error";
  return message.slice(0, 200);
}
