import { createHash, randomBytes } from "node:crypto";
import { recordEvents, type ChangeContext, type OutboxEvent } from "../changes/changes.service.js";
import type { Config } from "../config.js";
import type { SecretBox } from "../crypto/secret-box.js";
import { ConflictError, errors } from "../errors.js";
import { toEmailJson } from "../identifiers/identifiers.schemas.js";
import { attachVerifiedEmail, findEmailHolder, listEmails, type UserEmail } from "../identifiers/identifiers.service.js";
import {
  allowedRedirectUrl,
  findProviderCredentials,
  getOauthSettings,
  type OauthSettings,
  type ProviderCredentials,
} from "../oauth-providers/oauth-providers.service.js";
import { signInMethodOf } from "../oauth-providers/provider-kinds.js";
import { getSecondFactorState } from "../second-factors/second-factors.service.js";
import { requireSecondFactorIfEnrolled, type NeedsSecondFactor } from "../sign-in/second-factor-gate.js";
import { constantTimeEqual, sha256Hex } from "../secrets.js";
import { authenticateSession, startSession, type Session, type SessionOrigin } from "../sessions/sessions.service.js";
import { toSocialConnectionJson } from "../social-connections/social-connections.schemas.js";
import {
  addProvenSocialConnection,
  findSocialConnectionByIdentity,
  getSocialConnection,
  getSocialConnections,
  unlinkSocialConnectionInTransaction,
  type SocialConnection,
} from "../social-connections/social-connections.service.js";
import type { Db } from "../storage/db.js";
import { dialectOf } from "../storage/dialect.js";
import { createUserInTransaction } from "../user-accounts/user-accounts.service.js";
import { getUser, lockUser, recordSignIn } from "../users/users.service.js";
import { readGithubIdentity, readOidcIdentity, type ProviderIdentity } from "./client/identity.js";
import type { ProviderDirectory } from "./client/provider-directory.js";
import { fetchProviderPicture } from "./client/picture.js";
import { OauthFailure } from "./client/provider-error.js";
import { requestTokens, type ProviderTokens } from "./client/token-endpoint.js";
import {
  consumeOauthState,
  findOauthState,
  findOauthTokens,
  insertOauthState,
  lockOauthTokens,
  upsertOauthTokens,
  type OauthState,
  type SealedOauthTokens,
} from "./oauth.storage.js";

/** What the flow needs from the app: its database, secret box, provider directory and settings. */
export interface OauthContext {
  db: Db;
  secretBox: SecretBox;
  directory: ProviderDirectory;
  config: Pick<Config, "sessionLifetimeSeconds" | "oauthStateLifetimeSeconds">;
}

export type OauthIntent = "sign_in" | "link";

/** A kept state row answers "replayed" rather than "unknown" for this long after it expired. */
const STATE_KEPT_AFTER_EXPIRY_MS = 24 * 60 * 60 * 1000;
/** An access token this close to its expiry is refreshed before it is handed out. */
const ACCESS_TOKEN_MARGIN_MS = 60 * 1000;

const randomToken = () => randomBytes(32).toString("base64url");
const pkceChallengeOf = (verifier: string) => createHash("sha256").update(verifier, "ascii").digest("base64url");
const codeVerifierContext = (stateHash: string) => `oauth_states.code_verifier:${stateHash}`;
const accessTokenContext = (connectionId: string) => `oauth_tokens.access_token:${connectionId}`;
const refreshTokenContext = (connectionId: string) => `oauth_tokens.refresh_token:${connectionId}`;

/** A browser-binding cookie value as we issue it; anything else is replaced. */
const BINDING_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The URL a sign-in returns to, if the deployment allows it (exact origin and path; see
 * oauth-providers.service.ts allowedRedirectUrl). Without one there is nowhere safe to send the
 * browser, so this is the one refusal answered as JSON.
 */
export async function checkRedirectUrl(db: Db, deploymentId: string, raw: string | undefined): Promise<{ url: URL; settings: OauthSettings }> {
  const settings = await getOauthSettings(db, deploymentId);
  const url = raw === undefined ? null : allowedRedirectUrl(settings, raw);
  if (!url) throw errors.redirect_url_not_allowed();
  return { url, settings };
}

export interface BeginOauthInput {
  provider: string;
  redirectUrl: URL;
  intent: OauthIntent;
  /** The session credential the request presented (needed to link a provider to a signed-in user). */
  sessionCredential: string | null;
  /** Our callback URL for this provider on the deployment's frontend API: the registered redirect_uri. */
  callbackUrl: string;
  /** The browser-binding cookie the request carried, if any. */
  presentedBinding: string | null;
}

/**
 * Starts a sign-in: a fresh `state` (stored hashed, single use, short-lived, bound to this
 * browser by a cookie), a PKCE S256 challenge for a sealed verifier and, for OpenID Connect, a
 * nonce. Returns where to send the browser and the binding cookie to set.
 */
export async function beginOauth(context: OauthContext, deploymentId: string, input: BeginOauthInput): Promise<{ location: string; binding: string }> {
  const credentials = await findProviderCredentials(context.db, context.secretBox, deploymentId, input.provider);
  if (!credentials) throw new OauthFailure("oauth_provider_not_enabled", `No enabled provider '${input.provider}' in this deployment.`);
  const nowMs = Date.now();
  let linkUserId: string | null = null;
  if (input.intent === "link") {
    const signedIn =
      input.sessionCredential &&
      (await authenticateSession(context.db, deploymentId, input.sessionCredential, { nowMs, lifetimeSeconds: context.config.sessionLifetimeSeconds }));
    if (!signedIn) throw new OauthFailure("oauth_not_signed_in", "Linking a provider needs a signed-in session.");
    linkUserId = signedIn.session.userId;
  }
  const endpoints = await context.directory.endpointsOf(credentials);
  const state = randomToken();
  const codeVerifier = randomToken();
  const nonce = credentials.kind.protocol === "oidc" ? randomToken() : null;
  const binding = input.presentedBinding && BINDING_PATTERN.test(input.presentedBinding) ? input.presentedBinding : randomToken();
  const stateHash = sha256Hex(state);
  await insertOauthState(
    context.db,
    {
      state_hash: stateHash,
      deployment_id: deploymentId,
      provider: credentials.provider,
      browser_binding_hash: sha256Hex(binding),
      code_verifier_sealed: context.secretBox.seal(codeVerifier, codeVerifierContext(stateHash)),
      nonce,
      redirect_url: input.redirectUrl.href,
      intent: input.intent,
      link_user_id: linkUserId,
      created_at: nowMs,
      expires_at: nowMs + context.config.oauthStateLifetimeSeconds * 1000,
      used_at: null,
    },
    nowMs - STATE_KEPT_AFTER_EXPIRY_MS,
  );
  const location = new URL(endpoints.authorizationEndpoint);
  const parameters: Record<string, string> = {
    response_type: "code",
    client_id: credentials.clientId,
    redirect_uri: input.callbackUrl,
    scope: credentials.scopes.join(" "),
    state,
    code_challenge: pkceChallengeOf(codeVerifier),
    code_challenge_method: "S256",
    ...(nonce && { nonce }),
    ...(credentials.kind.responseMode === "form_post" && { response_mode: "form_post" }),
  };
  for (const [name, value] of Object.entries(parameters)) location.searchParams.set(name, value);
  return { location: location.href, binding };
}

/**
 * Takes the callback's state: used from here on, whatever happens next. Unknown (or long
 * forgotten) states have no redirect URL we could trust, so they are a JSON 400; a state we know
 * comes back with its redirect URL, and a replay or an expiry is reported there.
 */
export async function takeOauthState(db: Db, deploymentId: string, rawState: string | undefined): Promise<{ state: OauthState; failure: OauthFailure | null }> {
  const stateHash = rawState && rawState.length <= 512 ? sha256Hex(rawState) : null;
  const nowMs = Date.now();
  const consumed = stateHash && (await consumeOauthState(db, deploymentId, stateHash, nowMs));
  if (consumed) {
    const failure = consumed.expiresAt <= nowMs ? new OauthFailure("oauth_state_expired", "This sign-in took too long; start it again.") : null;
    return { state: consumed, failure };
  }
  const known = stateHash && (await findOauthState(db, deploymentId, stateHash));
  if (known) return { state: known, failure: new OauthFailure("oauth_state_replayed", "This sign-in was already completed or abandoned; start it again.") };
  throw errors.oauth_state_invalid();
}

export interface CallbackInput {
  /** The provider named in the callback's path. */
  provider: string;
  code: string | undefined;
  /** The provider's `error` parameter (RFC 6749 §4.1.2.1), e.g. access_denied. */
  error: string | undefined;
  /** The `iss` parameter of the answer (RFC 9207), when the provider sends one. */
  issuer: string | undefined;
  presentedBinding: string | null;
  sessionCredential: string | null;
  callbackUrl: string;
  origin: SessionOrigin;
  /** The user's details document as this request's Backend API would answer it: the data of user.* events. */
  describeUser: ChangeContext["describeUser"];
}

export type CallbackResult =
  | { kind: "signed_in"; session: Session; credential: string; userId: string; connection: SocialConnection }
  /** The user has a second factor: a pending sign-in, finished by POST /sign-in/second-factor. */
  | { kind: "needs_second_factor"; pending: NeedsSecondFactor; userId: string; connection: SocialConnection }
  | { kind: "linked"; userId: string; connection: SocialConnection };

/**
 * Finishes a sign-in the state belongs to: checks the state is this browser's and this
 * provider's, exchanges the code (with the client secret and the PKCE verifier), learns who
 * signed in (a verified ID token, or GitHub's user API), applies the linking rules, and opens a
 * session exactly as a password sign-in does.
 */
export async function completeOauth(context: OauthContext, deploymentId: string, state: OauthState, input: CallbackInput): Promise<CallbackResult> {
  if (state.provider !== input.provider) throw new OauthFailure("oauth_state_mismatch", "This state belongs to another provider's sign-in.");
  if (!input.presentedBinding || !constantTimeEqual(sha256Hex(input.presentedBinding), state.browserBindingHash)) {
    // Not the browser that started the sign-in: someone else's code and state were planted here (login CSRF).
    throw new OauthFailure("oauth_state_mismatch", "This sign-in was started in another browser.");
  }
  if (input.error !== undefined) {
    throw new OauthFailure(input.error === "access_denied" ? "access_denied" : "provider_error", `The provider answered ${input.error.slice(0, 64)}.`);
  }
  if (!input.code) throw new OauthFailure("provider_error", "The provider sent no code.");
  const credentials = await findProviderCredentials(context.db, context.secretBox, deploymentId, state.provider);
  if (!credentials) throw new OauthFailure("oauth_provider_not_enabled", `Provider '${state.provider}' is no longer enabled.`);
  const endpoints = await context.directory.endpointsOf(credentials);
  // RFC 9207: an answer naming another issuer is a mix-up attack's code, not this provider's.
  if (input.issuer !== undefined && endpoints.issuer !== null && !credentials.kind.isIssuerTemplated && input.issuer !== endpoints.issuer) {
    throw new OauthFailure("provider_error", `The answer came from issuer ${input.issuer.slice(0, 200)}, not ${endpoints.issuer}.`);
  }
  const codeVerifier = context.secretBox.open(state.codeVerifierSealed, codeVerifierContext(state.stateHash));
  const tokens = await requestTokens(
    endpoints,
    credentials,
    { grant_type: "authorization_code", code: input.code, redirect_uri: input.callbackUrl, code_verifier: codeVerifier },
    { timeoutMs: context.directory.timeoutMs, requestedScopes: credentials.scopes, nowMs: Date.now() },
  );
  const identity =
    endpoints.protocol === "github"
      ? await readGithubIdentity(context.directory, endpoints, tokens)
      : await readOidcIdentity(context.directory, endpoints, credentials, tokens, state.nonce ?? "");

  if (state.intent === "link") {
    const signedIn =
      input.sessionCredential &&
      (await authenticateSession(context.db, deploymentId, input.sessionCredential, {
        nowMs: Date.now(),
        lifetimeSeconds: context.config.sessionLifetimeSeconds,
      }));
    if (!signedIn || signedIn.session.userId !== state.linkUserId)
      throw new OauthFailure("oauth_not_signed_in", "The session that asked to link this provider has ended.");
  }
  const settings = await getOauthSettings(context.db, deploymentId);
  const picture = (await mayCreateUser(context.db, deploymentId, state, credentials.provider, identity, settings))
    ? await fetchProviderPicture(identity.pictureUrl, credentials.kind, endpoints, context.directory.timeoutMs)
    : null;
  // Two callbacks for one new identity may race: the loser's insert hits a unique index, and
  // on the second pass it finds what the winner wrote.
  for (let attempt = 1; ; attempt++) {
    try {
      return await context.db.transaction().execute((trx) =>
        applyIdentity(trx, context, deploymentId, {
          state,
          credentials,
          identity,
          tokens,
          settings,
          picture,
          origin: input.origin,
          describeUser: input.describeUser,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 2) throw error;
    }
  }
}

/** Whether this sign-in would create a user: only then is the provider's picture worth fetching (outside the transaction). */
async function mayCreateUser(
  db: Db,
  deploymentId: string,
  state: OauthState,
  provider: string,
  identity: ProviderIdentity,
  settings: OauthSettings,
): Promise<boolean> {
  if (state.intent !== "sign_in" || !settings.allowSignUp || !identity.isEmailVerified || identity.email === null) return false;
  if (await findSocialConnectionByIdentity(db, deploymentId, provider, identity.subject)) return false;
  return (await findEmailHolder(db, deploymentId, identity.email)) === null;
}

interface ResolvedIdentity {
  /** The provider's picture, fetched beforehand, for a user this sign-in creates. */
  picture: Buffer | null;
  state: OauthState;
  credentials: ProviderCredentials;
  identity: ProviderIdentity;
  tokens: ProviderTokens;
  settings: OauthSettings;
  origin: SessionOrigin;
  describeUser: ChangeContext["describeUser"];
}

/** What a user looked like before a sign-in linked a provider to it: to tell which events the link makes. */
interface UserBefore {
  document: unknown;
  emails: UserEmail[];
}

const userBefore = async (trx: Db, deploymentId: string, resolved: ResolvedIdentity, userId: string): Promise<UserBefore> => ({
  document: await resolved.describeUser(trx, deploymentId, userId),
  emails: await listEmails(trx, deploymentId, userId),
});

/**
 * The webhook events of a connection a sign-in made for an existing user: the connection, the
 * email it brought when that is new or newly verified, and user.updated when the details document
 * changed. The user's own act (no admin made it), so events and no audit entry.
 */
async function recordLinkEvents(
  trx: Db,
  deploymentId: string,
  resolved: ResolvedIdentity,
  connection: SocialConnection,
  emailId: string | null,
  before: UserBefore,
): Promise<void> {
  const events: OutboxEvent[] = [{ type: "social_connection.created", data: toSocialConnectionJson(connection) }];
  const attached = emailId === null ? undefined : (await listEmails(trx, deploymentId, connection.userId)).find((email) => email.id === emailId);
  const previous = before.emails.find((email) => email.id === emailId);
  if (attached && !previous?.verified) events.push({ type: previous ? "email.updated" : "email.created", data: toEmailJson(attached) });
  const document = await resolved.describeUser(trx, deploymentId, connection.userId);
  if (JSON.stringify(document) !== JSON.stringify(before.document)) events.push({ type: "user.updated", data: document });
  await recordEvents(trx, deploymentId, events);
}

/** The webhook events of a user a sign-in created: the user (its document with the email and connection), the email, the connection. */
async function recordSignUpEvents(trx: Db, deploymentId: string, resolved: ResolvedIdentity, connection: SocialConnection, emailId: string | null) {
  const email = (await listEmails(trx, deploymentId, connection.userId)).find((item) => item.id === emailId);
  await recordEvents(trx, deploymentId, [
    { type: "user.created", data: await resolved.describeUser(trx, deploymentId, connection.userId) },
    ...(email ? [{ type: "email.created", data: toEmailJson(email) }] : []),
    { type: "social_connection.created", data: toSocialConnectionJson(connection) },
  ]);
}

/**
 * The linking rules, in one transaction with the session they end in:
 * 1. a known provider account signs its user in;
 * 2. "link" attaches the account to the signed-in user;
 * 3. a provider-verified email that a user has verified links to that user — never when either
 *    side has not verified it, which would let whoever controls an address take over the account;
 * 4. otherwise a new user with the verified email, when the deployment allows sign-up.
 */
async function applyIdentity(trx: Db, context: OauthContext, deploymentId: string, resolved: ResolvedIdentity): Promise<CallbackResult> {
  const { state, credentials, identity } = resolved;
  const provider = credentials.provider;
  const method = signInMethodOf(provider);
  const oauthMethod = method as `oauth_${string}`;
  const nowMs = Date.now();
  let connection = await findSocialConnectionByIdentity(trx, deploymentId, provider, identity.subject);
  const verifiedEmail = identity.email !== null && identity.isEmailVerified ? identity.email : null;

  if (state.intent === "link") {
    const userId = state.linkUserId!;
    if (connection && connection.userId !== userId)
      throw new OauthFailure("oauth_account_linked_elsewhere", "This provider account already belongs to another user.");
    if (!connection) {
      await lockUser(trx, deploymentId, userId);
      const before = await userBefore(trx, deploymentId, resolved, userId);
      const holder = verifiedEmail ? await findEmailHolder(trx, deploymentId, verifiedEmail) : null;
      // The provider's address joins the user unless another user holds it.
      const emailId =
        verifiedEmail && (!holder || holder.userId === userId) ? await attachVerifiedEmail(trx, deploymentId, userId, verifiedEmail, method, nowMs) : null;
      connection = await addProvenSocialConnection(trx, deploymentId, userId, {
        provider,
        providerUserId: identity.subject,
        emailAddress: identity.email,
        userEmailAddressId: emailId,
        nowMs,
      });
      await recordLinkEvents(trx, deploymentId, resolved, connection, emailId, before);
    }
    await storeTokens(trx, context.secretBox, deploymentId, connection.id, resolved.tokens, nowMs);
    return { kind: "linked", userId, connection };
  }

  if (!connection) {
    if (!verifiedEmail)
      throw new OauthFailure("oauth_email_not_verified", "The provider did not vouch for an email address, so this account cannot be linked or created.");
    const holder = await findEmailHolder(trx, deploymentId, verifiedEmail);
    let userId: string;
    let emailId: string | null;
    let before: UserBefore | null = null;
    if (holder) {
      if (!holder.verified)
        throw new OauthFailure(
          "oauth_account_email_unverified",
          "An account with this email exists but has not verified it; sign in to it another way and link the provider.",
        );
      await lockUser(trx, deploymentId, holder.userId);
      userId = holder.userId;
      emailId = holder.id;
      before = await userBefore(trx, deploymentId, resolved, userId);
    } else {
      if (!resolved.settings.allowSignUp)
        throw new OauthFailure("oauth_sign_up_disabled", "This deployment does not allow new accounts through social sign-in.");
      const user = await createUserInTransaction(trx, deploymentId, {
        emailAddress: verifiedEmail,
        verificationStrategy: method,
        firstName: identity.firstName ?? "",
        lastName: identity.lastName ?? "",
        ...(resolved.picture && { profileImage: { bytes: resolved.picture } }),
      });
      userId = user.id;
      emailId = user.primaryEmailAddressId;
    }
    connection = await addProvenSocialConnection(trx, deploymentId, userId, {
      provider,
      providerUserId: identity.subject,
      emailAddress: identity.email,
      userEmailAddressId: emailId,
      nowMs,
    });
    if (before) await recordLinkEvents(trx, deploymentId, resolved, connection, emailId, before);
    else await recordSignUpEvents(trx, deploymentId, resolved, connection, emailId);
  }

  const user = await getUser(trx, deploymentId, connection.userId);
  if (user.disabled) throw new OauthFailure("user_disabled", "This account is disabled.");
  if (user.lockedUntil !== null && user.lockedUntil > nowMs) throw new OauthFailure("user_locked", "Sign-in to this account is locked for now.");
  await storeTokens(trx, context.secretBox, deploymentId, connection.id, resolved.tokens, nowMs);
  // A provider's word is one factor: a user who enrolled a second one must send it next, as
  // after a password. What the sign-in made (user, connection, tokens) stays made either way.
  const pending = await requireSecondFactorIfEnrolled(
    trx,
    deploymentId,
    { userId: connection.userId, firstFactor: { method: oauthMethod, connectionId: connection.id } },
    nowMs,
  );
  if (pending) return { kind: "needs_second_factor", pending, userId: connection.userId, connection };
  const opened = await startSession(
    trx,
    deploymentId,
    connection.userId,
    resolved.origin,
    { nowMs, lifetimeSeconds: context.config.sessionLifetimeSeconds },
    oauthMethod,
  );
  // As every sign-in does: last_sign_in_at moves (the lock was checked above).
  await recordSignIn(trx, deploymentId, connection.userId, nowMs, null);
  return { kind: "signed_in", session: opened.session, credential: opened.credential, userId: connection.userId, connection };
}

/** Seals and stores a connection's tokens; a sign-in that brings no refresh token keeps the one stored. */
async function storeTokens(db: Db, secretBox: SecretBox, deploymentId: string, connectionId: string, tokens: ProviderTokens, nowMs: number): Promise<void> {
  const previous = tokens.refreshToken === null ? await findOauthTokens(db, deploymentId, connectionId) : null;
  await upsertOauthTokens(db, {
    connection_id: connectionId,
    deployment_id: deploymentId,
    access_token_sealed: secretBox.seal(tokens.accessToken, accessTokenContext(connectionId)),
    refresh_token_sealed:
      tokens.refreshToken === null ? (previous?.refreshTokenSealed ?? null) : secretBox.seal(tokens.refreshToken, refreshTokenContext(connectionId)),
    token_type: tokens.tokenType,
    scopes: tokens.scopes.join(" "),
    expires_at: tokens.expiresAtMs,
    updated_at: nowMs,
  });
}

// ---- the signed-in user's own connections (frontend API)

async function signedInUserId(context: OauthContext, deploymentId: string, sessionCredential: string | null): Promise<string> {
  const signedIn =
    sessionCredential &&
    (await authenticateSession(context.db, deploymentId, sessionCredential, { nowMs: Date.now(), lifetimeSeconds: context.config.sessionLifetimeSeconds }));
  if (!signedIn) throw errors.session_invalid();
  return signedIn.session.userId;
}

export async function listOwnConnections(context: OauthContext, deploymentId: string, sessionCredential: string | null): Promise<SocialConnection[]> {
  return getSocialConnections(context.db, deploymentId, await signedInUserId(context, deploymentId, sessionCredential));
}

/**
 * The signed-in user unlinks one of their providers — refused when it is their last way to sign
 * in (no password, no passkey and no other connection), which would lock them out for good. The
 * user's row is locked meanwhile, so two unlinks at once cannot both take "the other" connection.
 */
export async function unlinkOwnConnection(
  context: OauthContext,
  deploymentId: string,
  sessionCredential: string | null,
  connectionId: string,
  request: Omit<ChangeContext, "actor">,
): Promise<void> {
  const userId = await signedInUserId(context, deploymentId, sessionCredential);
  // Audited as the user's own act.
  const change: ChangeContext = { ...request, actor: { type: "user", id: userId, name: "" } };
  await context.db.transaction().execute(async (trx) => {
    await lockUser(trx, deploymentId, userId);
    const connections = await getSocialConnections(trx, deploymentId, userId);
    if (!connections.some((connection) => connection.id === connectionId)) {
      throw errors.social_connection_not_found(userId, connectionId);
    }
    const user = await getUser(trx, deploymentId, userId);
    const { passkeysCount } = await getSecondFactorState(trx, deploymentId, userId);
    // A passkey signs in on its own (sign-in/passkey-sign-in.ts): a way in like a password.
    if (!user.hasPassword && passkeysCount === 0 && connections.length === 1) {
      throw errors.last_sign_in_method();
    }
    await unlinkSocialConnectionInTransaction(trx, deploymentId, change, userId, connectionId);
  });
}

// ---- provider access tokens (backend API)

export interface FreshAccessToken {
  connection: SocialConnection;
  accessToken: string;
  tokenType: string;
  scopes: string[];
  expiresAt: number | null;
}

/** Refreshes of a connection under way in this process (SQLite: see getFreshAccessToken). */
const refreshesUnderWay = new Map<string, Promise<FreshAccessToken>>();

const isFresh = (stored: SealedOauthTokens, nowMs: number) => stored.expiresAt === null || stored.expiresAt - ACCESS_TOKEN_MARGIN_MS > nowMs;

function answerWithStored(context: OauthContext, connection: SocialConnection, stored: SealedOauthTokens): FreshAccessToken {
  return {
    connection,
    accessToken: context.secretBox.open(stored.accessTokenSealed, accessTokenContext(connection.id)),
    tokenType: stored.tokenType,
    scopes: stored.scopes,
    expiresAt: stored.expiresAt,
  };
}

/**
 * The connection's provider access token, refreshed first when it has expired (or is about to)
 * and a refresh token is stored. For apps that call the provider's API on the user's behalf.
 *
 * Refreshes of one connection are serialized: providers rotate refresh tokens, so a second
 * refresh with the one just used fails (and may revoke the grant). On Postgres the token row is
 * locked for the refresh, across every server process; whoever waited finds it fresh and uses
 * it. On SQLite, holding its one connection through a call to the provider would stall every
 * other request, so concurrent callers in the process (the only one serving the file) share one
 * refresh instead.
 */
export async function getFreshAccessToken(context: OauthContext, deploymentId: string, userId: string, connectionId: string): Promise<FreshAccessToken> {
  const connection = await getSocialConnection(context.db, deploymentId, userId, connectionId);
  const stored = await findOauthTokens(context.db, deploymentId, connectionId);
  if (!stored) throw errors.oauth_tokens_not_found();
  if (isFresh(stored, Date.now())) return answerWithStored(context, connection, stored);
  if (dialectOf(context.db) === "postgres") {
    return context.db
      .transaction()
      .execute(async (trx) => refreshUnlessFresh(context, trx, deploymentId, connection, await lockOauthTokens(trx, deploymentId, connectionId)));
  }
  const key = `${deploymentId}:${connectionId}`;
  let underWay = refreshesUnderWay.get(key);
  if (!underWay) {
    underWay = (async () =>
      refreshUnlessFresh(context, context.db, deploymentId, connection, await findOauthTokens(context.db, deploymentId, connectionId)))().finally(() =>
      refreshesUnderWay.delete(key),
    );
    refreshesUnderWay.set(key, underWay);
  }
  const refreshed = await underWay;
  return { ...refreshed, connection };
}

/** Reads again what the refresh would replace: a refresh that finished meanwhile left fresh tokens. */
async function refreshUnlessFresh(
  context: OauthContext,
  db: Db,
  deploymentId: string,
  connection: SocialConnection,
  stored: SealedOauthTokens | null,
): Promise<FreshAccessToken> {
  if (!stored) throw errors.oauth_tokens_not_found();
  const nowMs = Date.now();
  if (isFresh(stored, nowMs)) return answerWithStored(context, connection, stored);
  if (!stored.refreshTokenSealed) throw errors.oauth_token_expired();
  const credentials = await findProviderCredentials(db, context.secretBox, deploymentId, connection.provider);
  if (!credentials) throw errors.oauth_provider_disabled(connection.provider);
  let tokens: ProviderTokens;
  try {
    const endpoints = await context.directory.endpointsOf(credentials);
    tokens = await requestTokens(
      endpoints,
      credentials,
      { grant_type: "refresh_token", refresh_token: context.secretBox.open(stored.refreshTokenSealed, refreshTokenContext(connection.id)) },
      { timeoutMs: context.directory.timeoutMs, requestedScopes: stored.scopes, nowMs },
    );
  } catch (error) {
    if (!(error instanceof OauthFailure)) throw error;
    if (error.code === "code_rejected") throw errors.oauth_refresh_rejected();
    throw errors.provider_unavailable(error.message);
  }
  await storeTokens(db, context.secretBox, deploymentId, connection.id, tokens, nowMs);
  return { connection, accessToken: tokens.accessToken, tokenType: tokens.tokenType, scopes: tokens.scopes, expiresAt: tokens.expiresAtMs };
}
