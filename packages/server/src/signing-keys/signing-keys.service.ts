import type { JWK } from "jose";
import { appendAuditEntry, type AuditContext } from "../audit-log/audit-log.service.js";
import type { SecretBox } from "../crypto/secret-box.js";
import { generateId } from "../ids.js";
import { onFirstUse } from "../on-first-use.js";
import type { Db } from "../storage/db.js";
import {
  findActivePrivateSigningKey,
  insertSigningKey,
  listPublishedSigningKeys,
  listStoredPrivateSigningKeys,
  updateStoredPrivateJwk,
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

// Loaded on the first key made or token signed, not at start (~35 ms; bench/README.md, issue 14).
const jose = onFirstUse(() => import("jose"));

/**
 * The private JWK is stored sealed (crypto/secret-box.ts) under the server's encryption key, bound
 * to its row: a database dump or backup alone cannot sign tokens.
 */
const privateJwkContext = (keyId: string) => `signing_keys.private_jwk:${keyId}`;
const isSealed = (stored: string) => stored.startsWith("ws1.");

async function generateSigningKey(secretBox: SecretBox, nowMs: number): Promise<NewSigningKey> {
  const id = generateId("sig", nowMs);
  const { generateKeyPair, exportJWK } = await jose();
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const describe = { kid: id, alg: SIGNING_ALGORITHM, use: "sig" };
  return {
    id,
    algorithm: SIGNING_ALGORITHM,
    publicJwk: { ...(await exportJWK(publicKey)), ...describe },
    sealedPrivateJwk: secretBox.seal(JSON.stringify({ ...(await exportJWK(privateKey)), ...describe }), privateJwkContext(id)),
    createdAt: nowMs,
  };
}

/** The deployment's active key, made on first use; instances racing to make it end up with one. */
async function ensureActivePrivateSigningKey(db: Db, secretBox: SecretBox, deploymentId: string): Promise<PrivateSigningKey> {
  const existing = await findActivePrivateSigningKey(db, deploymentId);
  if (existing)
    return {
      id: existing.id,
      algorithm: existing.algorithm,
      privateJwk: await openPrivateJwk(db, secretBox, deploymentId, existing.id, existing.storedPrivateJwk),
    };
  await insertSigningKey(db, deploymentId, await generateSigningKey(secretBox, Date.now()));
  const created = await findActivePrivateSigningKey(db, deploymentId);
  if (!created) throw new Error(`No signing key could be made for deployment '${deploymentId}'.`);
  return { id: created.id, algorithm: created.algorithm, privateJwk: await openPrivateJwk(db, secretBox, deploymentId, created.id, created.storedPrivateJwk) };
}

/**
 * The private JWK of a stored row. A row written before keys were sealed (plain JSON), or sealed
 * with an older encryption key, is sealed again with the current key on the way.
 */
async function openPrivateJwk(db: Db, secretBox: SecretBox, deploymentId: string, keyId: string, stored: string): Promise<JWK> {
  const plaintext = isSealed(stored) ? secretBox.open(stored, privateJwkContext(keyId)) : stored;
  if (!isSealed(stored) || secretBox.isSealedWithOldKey(stored)) {
    await updateStoredPrivateJwk(db, deploymentId, keyId, stored, secretBox.seal(plaintext, privateJwkContext(keyId)));
  }
  return JSON.parse(plaintext) as JWK;
}

/**
 * Seals every private key of the deployment still in clear, and reseals those sealed with an
 * encryption key other than the current one (run at start, so a rotated encryption key takes over
 * every row, and an upgraded database has no plaintext key left). Returns how many rows changed.
 */
export async function sealSigningKeys(db: Db, secretBox: SecretBox, deploymentId: string): Promise<number> {
  let changed = 0;
  for (const row of await listStoredPrivateSigningKeys(db, deploymentId)) {
    if (isSealed(row.storedPrivateJwk) && !secretBox.isSealedWithOldKey(row.storedPrivateJwk)) continue;
    await openPrivateJwk(db, secretBox, deploymentId, row.id, row.storedPrivateJwk);
    changed++;
  }
  return changed;
}

/**
 * Makes a new active key; the old one stops signing at once but stays published until the tokens
 * it signed have expired (see listPublishedKeys).
 */
export async function rotateSigningKey(
  db: Db,
  secretBox: SecretBox,
  deploymentId: string,
  context?: AuditContext,
): Promise<{ activeKeyId: string; retiredKeyId: string | null }> {
  const nowMs = Date.now();
  const key = await generateSigningKey(secretBox, nowMs);
  return db.transaction().execute(async (trx) => {
    const retiredKeyId = await retireActiveSigningKey(trx, deploymentId, nowMs);
    // Loses only to a rotation running at the same moment, which already made a new key.
    if (!(await insertSigningKey(trx, deploymentId, key)))
      throw new Error("Another rotation of this deployment's signing key ran at the same time; run it again if a new key is still wanted.");
    if (context)
      await appendAuditEntry(trx, deploymentId, context, {
        action: "signing_key.rotate",
        target: { type: "signing_key", id: key.id },
        changes: ["active_key"],
      });
    return { activeKeyId: key.id, retiredKeyId };
  });
}

/**
 * The public keys an app's backend may meet in a token: the active one (made now if there is none
 * yet) and those retired recently enough that tokens they signed may still be unexpired.
 */
export async function listPublishedKeys(
  db: Db,
  deploymentId: string,
  options: { nowMs: number; tokenLifetimeSeconds: number; secretBox: SecretBox },
): Promise<PublicSigningKey[]> {
  await ensureActivePrivateSigningKey(db, options.secretBox, deploymentId);
  const retiredAfterMs = options.nowMs - options.tokenLifetimeSeconds * 1000 - RETIRED_KEY_GRACE_MS;
  return listPublishedSigningKeys(db, deploymentId, retiredAfterMs);
}

export interface SessionTokenClaims {
  /** The frontend API URL: the published client requires `iss` to equal it exactly. */
  issuer: string;
  userId: string;
  sessionId: string;
  /** `azp`: the origin of the page that asked for the token, when the request named a valid one. */
  authorizedParty?: string;
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
  options: { nowMs: number; lifetimeSeconds: number; secretBox: SecretBox },
): Promise<SignedSessionToken> {
  const key = await ensureActivePrivateSigningKey(db, options.secretBox, deploymentId);
  const { importJWK, SignJWT } = await jose();
  const privateKey = await importJWK(key.privateJwk, key.algorithm);
  const issuedAt = Math.floor(options.nowMs / 1000);
  const expires = issuedAt + options.lifetimeSeconds;
  const token = await new SignJWT({ sid: claims.sessionId, ...(claims.authorizedParty !== undefined && { azp: claims.authorizedParty }) })
    .setProtectedHeader({ alg: key.algorithm, kid: key.id, typ: "JWT" })
    .setIssuer(claims.issuer)
    .setSubject(claims.userId)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(expires)
    .sign(privateKey);
  return { token, expires };
}
