import { SignJWT, exportJWK, generateKeyPair, importJWK } from "jose";
import { appendAuditEntry, type AuditContext } from "../audit-log/audit-log.service.js";
import { generateId } from "../ids.js";
import type { Db } from "../storage/db.js";
import {
  findActivePrivateSigningKey,
  insertSigningKey,
  listPublishedSigningKeys,
  listSigningKeys,
  retireActiveSigningKey,
  type NewSigningKey,
  type PrivateSigningKey,
  type PublicSigningKey,
} from "./signing-keys.storage.js";

export type { PublicSigningKey };
export { listSigningKeys };

/** ES256 (ECDSA on P-256 with SHA-256): what the published @wacht/backend verifies. */
export const SIGNING_ALGORITHM = "ES256";

/**
 * How long a retired key stays published beyond the token lifetime: verifiers may accept a token
 * a little after its `exp` (clock skew allowances), and must still find its key then.
 */
export const RETIRED_KEY_GRACE_MS = 5 * 60 * 1000;

async function generateSigningKey(nowMs: number): Promise<NewSigningKey> {
  const id = generateId("sig", nowMs);
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const describe = { kid: id, alg: SIGNING_ALGORITHM, use: "sig" };
  return {
    id,
    algorithm: SIGNING_ALGORITHM,
    publicJwk: { ...(await exportJWK(publicKey)), ...describe },
    privateJwk: { ...(await exportJWK(privateKey)), ...describe },
    createdAt: nowMs,
  };
}

/** The deployment's active key, made on first use; instances racing to make it end up with one. */
async function ensureActivePrivateSigningKey(db: Db, deploymentId: string): Promise<PrivateSigningKey> {
  const existing = await findActivePrivateSigningKey(db, deploymentId);
  if (existing) return existing;
  await insertSigningKey(db, deploymentId, await generateSigningKey(Date.now()));
  const created = await findActivePrivateSigningKey(db, deploymentId);
  if (!created) throw new Error(`No signing key could be made for deployment '${deploymentId}'.`);
  return created;
}

/**
 * Makes a new active key; the old one stops signing at once but stays published until the tokens
 * it signed have expired (see listPublishedKeys).
 */
export async function rotateSigningKey(db: Db, deploymentId: string, context?: AuditContext): Promise<{ activeKeyId: string; retiredKeyId: string | null }> {
  const nowMs = Date.now();
  const key = await generateSigningKey(nowMs);
  return db.transaction().execute(async (trx) => {
    const retiredKeyId = await retireActiveSigningKey(trx, deploymentId, nowMs);
    // Loses only to a rotation running at the same moment, which already made a new key.
    if (!(await insertSigningKey(trx, deploymentId, key))) throw new Error("Another rotation of this deployment's signing key ran at the same time; run it again if a new key is still wanted.");
    if (context) await appendAuditEntry(trx, deploymentId, context, { action: "signing_key.rotate", target: { type: "signing_key", id: key.id }, changes: ["active_key"] });
    return { activeKeyId: key.id, retiredKeyId };
  });
}

/**
 * The public keys an app's backend may meet in a token: the active one (made now if there is none
 * yet) and those retired recently enough that tokens they signed may still be unexpired.
 */
export async function listPublishedKeys(db: Db, deploymentId: string, options: { nowMs: number; tokenLifetimeSeconds: number }): Promise<PublicSigningKey[]> {
  await ensureActivePrivateSigningKey(db, deploymentId);
  const retiredAfterMs = options.nowMs - options.tokenLifetimeSeconds * 1000 - RETIRED_KEY_GRACE_MS;
  return listPublishedSigningKeys(db, deploymentId, retiredAfterMs);
}

export interface SessionTokenClaims {
  /** The frontend API URL: the published client requires `iss` to equal it exactly. */
  issuer: string;
  userId: string;
  sessionId: string;
}

export interface SignedSessionToken {
  token: string;
  /** Unix seconds, as the token's `exp`. */
  expires: number;
}

/** A short-lived JWT an app's backend verifies offline against the JWKS. */
export async function signSessionToken(
  db: Db,
  deploymentId: string,
  claims: SessionTokenClaims,
  options: { nowMs: number; lifetimeSeconds: number },
): Promise<SignedSessionToken> {
  const key = await ensureActivePrivateSigningKey(db, deploymentId);
  const privateKey = await importJWK(key.privateJwk, key.algorithm);
  const issuedAt = Math.floor(options.nowMs / 1000);
  const expires = issuedAt + options.lifetimeSeconds;
  const token = await new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: key.algorithm, kid: key.id, typ: "JWT" })
    .setIssuer(claims.issuer)
    .setSubject(claims.userId)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(expires)
    .sign(privateKey);
  return { token, expires };
}
