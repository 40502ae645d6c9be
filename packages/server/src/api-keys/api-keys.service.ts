import { appendAuditEntry, type AuditContext } from "../audit-log/audit-log.service.js";
import { errors } from "../errors.js";
import { generateId, randomBase32 } from "../ids.js";
import { constantTimeEqual, sha256Hex } from "../secrets.js";
import type { Db } from "../storage/db.js";
import { dialectOf, otherConnectionsWriteMark } from "../storage/dialect.js";
import {
  countActiveApiKeys,
  findApiKeyOfDeployment,
  findApiKeyBySecretHash,
  findApiKeysByLookupHash,
  listActiveApiKeysNamed,
  insertApiKey,
  isApiKeyRevoked,
  listApiKeys,
  revokeApiKeyRow,
  updateApiKeyLastUsed,
  type ApiKey,
} from "./api-keys.storage.js";

export type { ApiKey };
export { listApiKeys, countActiveApiKeys };

// Writing last_used_at on every request would turn every read into a write; once an hour is enough to audit.
const LAST_USED_RESOLUTION_MS = 60 * 60 * 1000;

export interface AuthenticatedKey {
  keyId: string;
  /** The key's name, for the audit log's actor. */
  keyName: string;
  deploymentId: string;
}

/** Creates a key; the returned secret is shown once and never stored. */
export async function createApiKey(db: Db, deploymentId: string, name = "default", context?: AuditContext): Promise<{ apiKey: ApiKey; secret: string }> {
  if (name.length < 1 || name.length > 100) throw errors.validation_failed({ name: "must be 1 to 100 characters" });
  const secret = `sk_${randomBase32(40)}`;
  // With `context` (an operator's action: the API, the CLI) the audit entry commits with the key.
  const apiKey = await db.transaction().execute(async (trx) => {
    const stored = await storeApiKey(trx, deploymentId, name, secret);
    if (context)
      await appendAuditEntry(trx, deploymentId, context, { action: "api_key.create", target: { type: "api_key", id: stored.id }, changes: ["name"] });
    return stored;
  });
  return { apiKey, secret };
}

/** The name the key configured by WACHT_API_KEY is stored under: how a start finds the one it replaces. */
export const OPERATOR_KEY_NAME = "WACHT_API_KEY";

/**
 * Registers the key chosen by the operator (WACHT_API_KEY) for a deployment, in one transaction:
 * storing the same key again is a no-op; a new value revokes the earlier operator key(s), so
 * changing the variable really retires the old key. A value that was revoked before is refused:
 * it may have leaked. Returns the keys it revoked (ids and display prefixes only).
 */
export async function registerOperatorApiKey(db: Db, deploymentId: string, secret: string): Promise<ApiKey[]> {
  const secretHash = sha256Hex(secret);
  return db.transaction().execute(async (trx) => {
    const existing = await findApiKeyBySecretHash(trx, deploymentId, secretHash);
    if (existing?.revoked_at != null) {
      throw new Error(`WACHT_API_KEY is key ${existing.id}, which was revoked: choose a new key (openssl rand -hex 32).`);
    }
    const nowMs = Date.now();
    const revoked: ApiKey[] = [];
    for (const previous of await listActiveApiKeysNamed(trx, deploymentId, OPERATOR_KEY_NAME)) {
      if (constantTimeEqual(previous.secret_hash, secretHash)) continue;
      if (await revokeApiKeyRow(trx, previous.id, nowMs)) {
        revoked.push({
          id: previous.id,
          deploymentId,
          name: OPERATOR_KEY_NAME,
          displayPrefix: previous.display_prefix,
          createdAt: previous.created_at,
          lastUsedAt: null,
          revokedAt: nowMs,
        });
      }
    }
    if (!existing) await storeApiKey(trx, deploymentId, OPERATOR_KEY_NAME, secret);
    return revoked;
  });
}

async function storeApiKey(db: Db, deploymentId: string, name: string, secret: string): Promise<ApiKey> {
  const secretHash = sha256Hex(secret);
  const apiKey: ApiKey = {
    id: generateId("key"),
    deploymentId,
    name,
    displayPrefix: `${secret.slice(0, 7)}…`,
    createdAt: Date.now(),
    lastUsedAt: null,
    revokedAt: null,
  };
  await insertApiKey(db, deploymentId, {
    id: apiKey.id,
    name,
    lookupHash: secretHash.slice(0, 16),
    secretHash,
    displayPrefix: apiKey.displayPrefix,
    createdAt: apiKey.createdAt,
  });
  return apiKey;
}

/**
 * Verified keys of one database handle, by the SHA-256 of the secret (never the secret itself).
 * An entry is dropped the moment its key is revoked:
 * - through this handle: revokeApiKey deletes it;
 * - on SQLite by another connection (the CLI, another process): PRAGMA data_version changes and
 *   the whole cache is forgotten before the next lookup;
 * - on Postgres by another instance: every cached hit re-reads the key's revoked_at by primary
 *   key, so a revocation anywhere is refused at once (no cross-instance message to wait for).
 */
interface VerifiedKeyCache {
  byHash: Map<string, AuthenticatedKey & { lastUsedAt: number | null }>;
  writeMark: number | null;
}

const MAX_CACHED_KEYS = 1000;
const verifiedKeyCaches = new WeakMap<Db, VerifiedKeyCache>();

function verifiedKeyCacheOf(db: Db): VerifiedKeyCache {
  let cache = verifiedKeyCaches.get(db);
  if (!cache) {
    cache = { byHash: new Map(), writeMark: null };
    verifiedKeyCaches.set(db, cache);
  }
  return cache;
}

/** The deployment a presented key belongs to, or null for an unknown or revoked key. */
export async function authenticateApiKey(db: Db, presented: string): Promise<AuthenticatedKey | null> {
  const presentedHash = sha256Hex(presented);
  const cache = verifiedKeyCacheOf(db);
  if (dialectOf(db) === "sqlite") {
    const writeMark = await otherConnectionsWriteMark(db);
    if (writeMark !== cache.writeMark) {
      cache.byHash.clear();
      cache.writeMark = writeMark;
    }
  }
  const cached = cache.byHash.get(presentedHash);
  if (cached) {
    if (dialectOf(db) === "postgres" && (await isApiKeyRevoked(db, cached.keyId))) {
      cache.byHash.delete(presentedHash);
      return null;
    }
    cached.lastUsedAt = await recordUse(db, cached.keyId, cached.lastUsedAt);
    return { keyId: cached.keyId, keyName: cached.keyName, deploymentId: cached.deploymentId };
  }
  const candidates = await findApiKeysByLookupHash(db, presentedHash.slice(0, 16));
  const match = candidates.find((candidate) => constantTimeEqual(candidate.secret_hash, presentedHash));
  if (!match || match.revoked_at !== null) return null;
  const lastUsedAt = await recordUse(db, match.id, match.last_used_at);
  if (cache.byHash.size >= MAX_CACHED_KEYS) cache.byHash.delete(cache.byHash.keys().next().value!);
  cache.byHash.set(presentedHash, { keyId: match.id, keyName: match.name, deploymentId: match.deployment_id, lastUsedAt });
  return { keyId: match.id, keyName: match.name, deploymentId: match.deployment_id };
}

/** Writes last_used_at when the stored one is over an hour old; returns the value now stored. */
async function recordUse(db: Db, keyId: string, lastUsedAt: number | null): Promise<number | null> {
  const now = Date.now();
  if (lastUsedAt !== null && now - lastUsedAt <= LAST_USED_RESOLUTION_MS) return lastUsedAt;
  await updateApiKeyLastUsed(db, keyId, now);
  return now;
}

/** A key of the deployment as anyone may see it, or null. */
export function findApiKey(db: Db, deploymentId: string, keyId: string): Promise<ApiKey | null> {
  return findApiKeyOfDeployment(db, deploymentId, keyId);
}

/** Revokes a key (of `deploymentId`, when given: the Backend API may only revoke its own deployment's keys). */
export async function revokeApiKey(db: Db, keyId: string, deploymentId?: string, context?: AuditContext): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const revokedIn = await revokeApiKeyRow(trx, keyId, Date.now(), deploymentId);
    if (revokedIn === null) throw errors.api_key_not_found(keyId);
    if (context) await appendAuditEntry(trx, revokedIn, context, { action: "api_key.revoke", target: { type: "api_key", id: keyId }, changes: ["revoked_at"] });
  });
  forgetVerifiedKey(db, keyId);
}

/** Drops a revoked key from this handle's cache of verified keys. */
function forgetVerifiedKey(db: Db, keyId: string): void {
  const cache = verifiedKeyCaches.get(db);
  if (!cache) return;
  for (const [hash, key] of cache.byHash) if (key.keyId === keyId) cache.byHash.delete(hash);
}
