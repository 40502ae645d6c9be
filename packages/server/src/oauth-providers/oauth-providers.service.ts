import { appendAuditEntry, type AuditContext } from "../audit-log/audit-log.service.js";
import { withUniqueConflicts } from "../conflicts.js";
import type { SecretBox } from "../crypto/secret-box.js";
import { ConflictError, errors } from "../errors.js";
import { generateId } from "../ids.js";
import type { Db } from "../storage/db.js";
import {
  deleteOauthProviderRow,
  findOauthProvider,
  findOauthSettings,
  findSealedClientSecret,
  insertOauthProvider,
  listOauthProviderRows,
  updateOauthProviderRow,
  upsertOauthSettings,
  type OauthProvider,
  type OauthSettings,
} from "./oauth-providers.storage.js";
import { PROVIDER_NAME_RULE, isLoopbackUrl, kindOf, normalizeIssuer, type ProviderKind } from "./provider-kinds.js";

export type { OauthProvider, OauthSettings };

export interface OauthProviderInput {
  provider: string;
  clientId: string;
  clientSecret: string;
  /** null or absent: the kind's default issuer. */
  issuer?: string | null;
  scopes?: string[];
  enabled?: boolean;
}

export type OauthProviderChange = Partial<Omit<OauthProviderInput, "provider">>;

/** What the sign-in flow needs: the configuration with its kind, its effective issuer and the opened client secret. */
export interface ProviderCredentials extends OauthProvider {
  kind: ProviderKind;
  issuer: string;
  clientSecret: string;
}

const MAX_SCOPES = 30;
const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/; // RFC 6749 §3.3 scope-token characters
const MAX_REDIRECT_URLS = 100;

const providerNotFound = (provider: string) => errors.oauth_provider_not_found(provider);

/** The secret-box context of a provider's client secret: the row and column it belongs to. */
const clientSecretContext = (providerRowId: string) => `oauth_providers.client_secret:${providerRowId}`;

function checkProviderName(raw: string): { provider: string; kind: ProviderKind } {
  const provider = raw.trim().toLowerCase();
  const kind = kindOf(provider);
  if (!kind) throw errors.invalid_oauth_provider(PROVIDER_NAME_RULE);
  return { provider, kind };
}

function checkClientId(raw: string): string {
  const clientId = raw.trim();
  if (clientId.length < 1 || clientId.length > 512) throw errors.validation_failed({ client_id: "must be 1 to 512 characters" });
  return clientId;
}

function checkClientSecret(raw: string): string {
  // Kept byte-exact: a secret is not ours to trim. Apple's is a signed JWT, hence the room.
  if (raw.length < 1 || raw.length > 4096 || raw.trim() !== raw)
    throw errors.validation_failed({ client_secret: "must be 1 to 4096 characters, without surrounding spaces" });
  return raw;
}

function checkIssuer(raw: string | null | undefined, kind: ProviderKind): string | null {
  if (raw === undefined || raw === null || raw.trim() === "") {
    if (kind.defaultIssuer === null)
      throw errors.validation_failed({ issuer: "is required for an oidc_<slug> provider: the issuer URL its discovery document is under" });
    return null;
  }
  const issuer = normalizeIssuer(raw);
  if (!issuer) throw errors.validation_failed({ issuer: "must be an https URL (http only on 127.0.0.1 or localhost) without query or fragment" });
  return issuer;
}

function checkScopes(raw: string[] | undefined, kind: ProviderKind): string[] {
  if (raw === undefined) return kind.defaultScopes;
  const scopes = [...new Set(raw.flatMap((scope) => scope.split(" ")).filter(Boolean))];
  if (scopes.length > MAX_SCOPES || !scopes.every((scope) => SCOPE_PATTERN.test(scope))) {
    throw errors.validation_failed({ scopes: `must be at most ${MAX_SCOPES} OAuth scope names (no spaces, quotes or backslashes)` });
  }
  // Without "openid" an OpenID Connect provider sends no ID token, and we would not know who signed in.
  if (kind.protocol === "oidc" && !scopes.includes("openid"))
    throw errors.validation_failed({ scopes: 'must include "openid" for an OpenID Connect provider' });
  return scopes;
}

export async function listOauthProviders(db: Db, deploymentId: string): Promise<OauthProvider[]> {
  return listOauthProviderRows(db, deploymentId);
}

export async function getOauthProvider(db: Db, deploymentId: string, rawProvider: string): Promise<OauthProvider> {
  const found = await findOauthProvider(db, deploymentId, rawProvider.trim().toLowerCase());
  if (!found) throw providerNotFound(rawProvider);
  return found;
}

/** The names of the fields given (`undefined` = not sent). Not changes/'s changedFields: that module reaches webhooks, which would make a cycle. */
const changedFields = (fields: Record<string, unknown>) => Object.keys(fields).filter((name) => fields[name] !== undefined);

/** The wire names of the provider fields a write sets, for the audit entry (the secret's name, never its value). */
const providerFieldsOf = (input: OauthProviderChange) =>
  changedFields({ client_id: input.clientId, client_secret: input.clientSecret, issuer: input.issuer, scopes: input.scopes, enabled: input.enabled });

/**
 * Provider writes by an admin (API key or CLI) are audited, the target named as the API names it
 * (`/oauth-providers/{provider}`); the environment's at start (oauth-environment.ts) pass no context.
 */
async function auditProviderChange(trx: Db, deploymentId: string, context: AuditContext | undefined, action: string, provider: string, changes: string[] = []) {
  if (context) await appendAuditEntry(trx, deploymentId, context, { action, target: { type: "oauth_provider", id: provider }, changes });
}

export async function createOauthProvider(
  db: Db,
  secretBox: SecretBox,
  deploymentId: string,
  input: OauthProviderInput,
  context?: AuditContext,
): Promise<OauthProvider> {
  const { provider, kind } = checkProviderName(input.provider);
  const id = generateId("oap");
  const now = Date.now();
  const row = {
    id,
    deployment_id: deploymentId,
    provider,
    client_id: checkClientId(input.clientId),
    client_secret_sealed: secretBox.seal(checkClientSecret(input.clientSecret), clientSecretContext(id)),
    issuer: checkIssuer(input.issuer, kind),
    scopes: checkScopes(input.scopes, kind).join(" "),
    enabled: input.enabled ?? true,
    created_at: now,
    updated_at: now,
  };
  await withUniqueConflicts(() =>
    db.transaction().execute(async (trx) => {
      await insertOauthProvider(trx, row);
      await auditProviderChange(trx, deploymentId, context, "oauth_provider.create", provider, ["provider", ...providerFieldsOf(input)]);
    }),
  ).catch((error) => {
    if (error instanceof ConflictError) throw errors.oauth_provider_exists(provider);
    throw error;
  });
  return (await findOauthProvider(db, deploymentId, provider))!;
}

export async function updateOauthProvider(
  db: Db,
  secretBox: SecretBox,
  deploymentId: string,
  rawProvider: string,
  change: OauthProviderChange,
  context?: AuditContext,
): Promise<OauthProvider> {
  const { provider, kind } = checkProviderName(rawProvider);
  const current = await findOauthProvider(db, deploymentId, provider);
  if (!current) throw providerNotFound(provider);
  const patch = {
    ...(change.clientId !== undefined && { client_id: checkClientId(change.clientId) }),
    ...(change.clientSecret !== undefined && { client_secret_sealed: secretBox.seal(checkClientSecret(change.clientSecret), clientSecretContext(current.id)) }),
    ...(change.issuer !== undefined && { issuer: checkIssuer(change.issuer, kind) }),
    ...(change.scopes !== undefined && { scopes: checkScopes(change.scopes, kind).join(" ") }),
    ...(change.enabled !== undefined && { enabled: change.enabled }),
    updated_at: Date.now(),
  };
  await db.transaction().execute(async (trx) => {
    if (!(await updateOauthProviderRow(trx, deploymentId, provider, patch))) throw providerNotFound(provider);
    await auditProviderChange(trx, deploymentId, context, "oauth_provider.update", provider, providerFieldsOf(change));
  });
  return (await findOauthProvider(db, deploymentId, provider))!;
}

/** Creates the provider, or changes it when it exists: the CLI's `set` and the environment at start. */
export async function putOauthProvider(
  db: Db,
  secretBox: SecretBox,
  deploymentId: string,
  input: OauthProviderInput,
  context?: AuditContext,
): Promise<OauthProvider> {
  const { provider } = checkProviderName(input.provider);
  if (!(await findOauthProvider(db, deploymentId, provider))) {
    try {
      return await createOauthProvider(db, secretBox, deploymentId, input, context);
    } catch (error) {
      // Another instance created it meanwhile: change theirs instead.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  const { provider: _provider, ...change } = input;
  return updateOauthProvider(db, secretBox, deploymentId, provider, change, context);
}

/** Removes the provider: sign-ins with it stop; connections it made stay (an admin removes those). */
export async function removeOauthProvider(db: Db, deploymentId: string, rawProvider: string, context?: AuditContext): Promise<void> {
  const provider = rawProvider.trim().toLowerCase();
  await db.transaction().execute(async (trx) => {
    if (!(await deleteOauthProviderRow(trx, deploymentId, provider))) throw providerNotFound(provider);
    await auditProviderChange(trx, deploymentId, context, "oauth_provider.delete", provider);
  });
}

/**
 * The provider with its client secret opened, for the sign-in flow: null when it is not
 * configured, not enabled, or its kind is unknown (a name from an older version).
 */
export async function findProviderCredentials(db: Db, secretBox: SecretBox, deploymentId: string, provider: string): Promise<ProviderCredentials | null> {
  const kind = kindOf(provider);
  const found = kind && (await findOauthProvider(db, deploymentId, provider));
  if (!kind || !found || !found.enabled) return null;
  const sealed = await findSealedClientSecret(db, deploymentId, provider);
  if (!sealed) return null;
  return { ...found, kind, issuer: found.issuer ?? kind.defaultIssuer!, clientSecret: secretBox.open(sealed.sealed, clientSecretContext(sealed.id)) };
}

/** The issuer to show for a provider: its own, else its kind's default. */
export function effectiveIssuerOf(provider: OauthProvider): string | null {
  return provider.issuer ?? kindOf(provider.provider)?.defaultIssuer ?? null;
}

// ---- settings

export const getOauthSettings = (db: Db, deploymentId: string): Promise<OauthSettings> => findOauthSettings(db, deploymentId);

/**
 * A URL a sign-in may return to: absolute, https (http only on a loopback host), without
 * credentials or fragment. Stored as origin + path; a query string is not part of the match.
 */
export function normalizeRedirectUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackUrl(url))) return null;
  if (url.username || url.password || url.hash || url.search) return null;
  return `${url.origin}${url.pathname}`;
}

export async function updateOauthSettings(db: Db, deploymentId: string, change: Partial<OauthSettings>, context?: AuditContext): Promise<OauthSettings> {
  const current = await findOauthSettings(db, deploymentId);
  let redirectUrls = current.redirectUrls;
  if (change.redirectUrls !== undefined) {
    if (change.redirectUrls.length > MAX_REDIRECT_URLS) throw errors.validation_failed({ redirect_urls: `must list at most ${MAX_REDIRECT_URLS} URLs` });
    redirectUrls = change.redirectUrls.map((raw, index) => {
      const url = normalizeRedirectUrl(raw);
      if (!url)
        throw errors.validation_failed({
          [`redirect_urls[${index}]`]: "must be an absolute https URL (http only on 127.0.0.1 or localhost), without query, fragment or credentials",
        });
      return url;
    });
    redirectUrls = [...new Set(redirectUrls)];
  }
  const next: OauthSettings = { redirectUrls, allowSignUp: change.allowSignUp ?? current.allowSignUp };
  await db.transaction().execute(async (trx) => {
    await upsertOauthSettings(trx, deploymentId, next, Date.now());
    if (context) {
      const changes = changedFields({ redirect_urls: change.redirectUrls, allow_sign_up: change.allowSignUp });
      await appendAuditEntry(trx, deploymentId, context, { action: "oauth_settings.update", target: { type: "deployment", id: deploymentId }, changes });
    }
  });
  return next;
}

/**
 * Whether a sign-in may return to `raw`: its origin and path must equal an allowed URL's exactly
 * (so no open redirect through a look-alike host, a longer path or `..`). The URL to send the
 * browser to is returned, query string kept; null when it is not allowed.
 */
export function allowedRedirectUrl(settings: OauthSettings, raw: string): URL | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username || url.password || url.hash) return null;
  const target = `${url.origin}${url.pathname}`;
  return settings.redirectUrls.includes(target) ? url : null;
}
