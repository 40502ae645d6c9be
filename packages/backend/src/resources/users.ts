import type { WachtClient } from "../client.js";
import { NotFoundError, ValidationError } from "../core/errors.js";
import { encodeBodyWithFiles } from "../core/form-data.js";
import { PagePromise, type NextPageFetcher, type PaginatedResponse } from "../core/pagination.js";
import { path } from "../core/path.js";
import type { RequestOptions } from "../core/request.js";
import {
  importUsers,
  importUserStream,
  type ImportStreamOptions,
  type ImportUser,
  type ImportUsersOptions,
  type ImportUsersResponse,
  type ImportProgress,
} from "./import.js";
import type { OauthAccessToken } from "./oauth-providers.js";
import type {
  AddEmailRequest,
  AddPhoneRequest,
  CreateUserRequest,
  LinkSocialConnectionRequest,
  ListResponse,
  ListUserSigninsOptions,
  ListUsersOptions,
  RevokeAllSigninsResponse,
  UpdateEmailRequest,
  UpdatePasswordRequest,
  UpdatePhoneRequest,
  UpdateUserRequest,
  User,
  UserDetails,
  UserEmail,
  UserPhone,
  UserSignin,
  UserSocialConnection,
} from "./users.types.js";
import type {
  CreateAuthenticatorRequest,
  CreateAuthenticatorResponse,
  RegeneratedBackupCodesResponse,
  UserOrganizationMembership,
  UserPasskey,
  UserWorkspaceMembership,
  VerifyPasswordRequest,
  VerifyPasswordResponse,
  VerifyTotpRequest,
  VerifyTotpResponse,
} from "./second-factors.types.js";

/** Page size for iterateUsers when the caller sets none: fewer round trips than the server's 10. */
const ITERATION_PAGE_SIZE = 100;

/**
 * The next-page function of listUsers: `starting_after` the last user, with the same sort,
 * search and filters (an `offset` would contradict the cursor, so it is dropped). A server
 * without cursors (ours before they landed, or one that ignores the parameter) is detected —
 * a 400 calling `starting_after` unknown, or a page repeating users already seen — and the
 * walk goes on by offset from the users received so far, instead of failing or looping.
 */
function nextPageByCursor(
  options: ListUsersOptions,
  fetchPage: (query: ListUsersOptions) => Promise<PaginatedResponse<User>>,
): NextPageFetcher<PaginatedResponse<User>> {
  const { offset: _offset, ending_before: endingBefore, starting_after: _startingAfter, ...filters } = options;
  // Started `ending_before` a user: walk backwards, as Stripe does, before the first user of each page.
  const cursorAfter = (page: PaginatedResponse<User>): ListUsersOptions =>
    endingBefore === undefined ? { starting_after: page.data.at(-1)?.id } : { ending_before: page.data[0]?.id };
  let received = options.offset ?? 0;
  let useOffsets = false;
  return async (page) => {
    received += page.data.length;
    const byOffset = () => fetchPage({ ...filters, offset: received });
    if (useOffsets) return byOffset();
    const seen = new Set(page.data.map((user) => user.id));
    try {
      const next = await fetchPage({ ...filters, ...cursorAfter(page) });
      if (!next.data.some((user) => seen.has(user.id))) return next;
    } catch (error) {
      if (!isUnknownCursorParameter(error)) throw error;
    }
    useOffsets = true;
    return byOffset();
  };
}

function isUnknownCursorParameter(error: unknown): boolean {
  if (!(error instanceof ValidationError)) return false;
  const details = error.details as Record<string, unknown> | null | undefined;
  return typeof details === "object" && details !== null && details["starting_after"] === "is not a known field";
}

/**
 * `client.users`: one method per endpoint. `isSafeToRepeat` marks the POSTs and
 * PATCHes whose repetition changes nothing, so they may be retried (core/retry.ts).
 * Methods are `async` so that a bad argument rejects the promise instead of throwing.
 */
export class Users {
  // A private field, so that logging or serializing a client never walks into a cycle.
  readonly #client: WachtClient;

  constructor(client: WachtClient) {
    this.#client = client;
  }

  /**
   * One page of users (`await`, by `offset` as given), or every matching user page after page
   * (`for await`), each next page `starting_after` the last user received: users created or
   * deleted meanwhile cannot shift a page, so none is skipped or seen twice. Not `async`, so that
   * the answer stays iterable; it cannot throw before the request is made.
   */
  listUsers(options: ListUsersOptions = {}, requestOptions?: RequestOptions): PagePromise<User, PaginatedResponse<User>> {
    const fetchPage = (query: ListUsersOptions) => this.#client.get<PaginatedResponse<User>>("/users", { ...requestOptions, query: { ...query } });
    return new PagePromise(fetchPage(options), nextPageByCursor(options, fetchPage));
  }

  /** Every user matching `options`, fetching pages of 100 (or `limit`) as the loop advances. */
  async *iterateUsers(options: ListUsersOptions = {}, requestOptions?: RequestOptions): AsyncGenerator<User, void, undefined> {
    yield* this.listUsers({ ...options, limit: options.limit ?? ITERATION_PAGE_SIZE }, requestOptions);
  }

  async getUser(userId: string, options?: RequestOptions): Promise<UserDetails> {
    return this.#client.get(path`/users/${userId}/details`, options);
  }

  /** The user owning this address (any of their emails, case-insensitive); NotFoundError if none. */
  async getUserByEmail(email: string, options?: RequestOptions): Promise<UserDetails> {
    const page = await this.listUsers({ email_address: email, limit: 1 }, options);
    const user = page.data[0] && (await this.getUser(page.data[0].id, options));
    // Checked again here so a server that ignored the filter can never hand back someone else.
    const owns = user?.email_addresses.some((entry) => entry.email.toLowerCase() === email.toLowerCase());
    if (!user || !owns) throw new NotFoundError("No user has this email address", { code: "user_not_found" });
    return user;
  }

  async createUser(request: CreateUserRequest, options?: RequestOptions): Promise<User> {
    return this.#client.post("/users", encodeBodyWithFiles(request), options);
  }

  async updateUser(userId: string, request: UpdateUserRequest, options?: RequestOptions): Promise<UserDetails> {
    return this.#client.patch(path`/users/${userId}`, encodeBodyWithFiles(request), { ...options, isSafeToRepeat: true });
  }

  /** Imports up to 1,000 users in one call (`POST /users/import`); each item succeeds or fails on its own. */
  async importUsers(users: ImportUser[], options?: ImportUsersOptions, requestOptions?: RequestOptions): Promise<ImportUsersResponse> {
    return importUsers(this.#client, users, options, requestOptions);
  }

  /** Imports any number of users from an (async) iterable, 1,000 per call, reporting progress after each. */
  async importUserStream(
    users: AsyncIterable<ImportUser> | Iterable<ImportUser>,
    options?: ImportStreamOptions,
    requestOptions?: RequestOptions,
  ): Promise<ImportProgress> {
    return importUserStream(this.#client, users, options, requestOptions);
  }

  /** Also removes the user's sessions, identifiers and social connections. */
  async deleteUser(userId: string, options?: RequestOptions): Promise<void> {
    return this.#client.delete(path`/users/${userId}`, options);
  }

  async listEmails(userId: string, options?: RequestOptions): Promise<UserEmail[]> {
    return (await this.#client.get<ListResponse<UserEmail>>(path`/users/${userId}/emails`, options)).data;
  }

  async addEmail(userId: string, request: AddEmailRequest, options?: RequestOptions): Promise<UserEmail> {
    return this.#client.post(path`/users/${userId}/emails`, request, options);
  }

  async updateEmail(userId: string, emailId: string, request: UpdateEmailRequest, options?: RequestOptions): Promise<UserEmail> {
    return this.#client.patch(path`/users/${userId}/emails/${emailId}`, request, { ...options, isSafeToRepeat: true });
  }

  async deleteEmail(userId: string, emailId: string, options?: RequestOptions): Promise<void> {
    return this.#client.delete(path`/users/${userId}/emails/${emailId}`, options);
  }

  async makeEmailPrimary(userId: string, emailId: string, options?: RequestOptions): Promise<void> {
    return this.#client.post(path`/users/${userId}/emails/${emailId}/make-primary`, undefined, { ...options, isSafeToRepeat: true });
  }

  async listPhones(userId: string, options?: RequestOptions): Promise<UserPhone[]> {
    return (await this.#client.get<ListResponse<UserPhone>>(path`/users/${userId}/phones`, options)).data;
  }

  async addPhone(userId: string, request: AddPhoneRequest, options?: RequestOptions): Promise<UserPhone> {
    return this.#client.post(path`/users/${userId}/phones`, request, options);
  }

  async updatePhone(userId: string, phoneId: string, request: UpdatePhoneRequest, options?: RequestOptions): Promise<UserPhone> {
    return this.#client.patch(path`/users/${userId}/phones/${phoneId}`, request, { ...options, isSafeToRepeat: true });
  }

  async deletePhone(userId: string, phoneId: string, options?: RequestOptions): Promise<void> {
    return this.#client.delete(path`/users/${userId}/phones/${phoneId}`, options);
  }

  async makePhonePrimary(userId: string, phoneId: string, options?: RequestOptions): Promise<void> {
    return this.#client.post(path`/users/${userId}/phones/${phoneId}/make-primary`, undefined, { ...options, isSafeToRepeat: true });
  }

  /** Sets the password; by default the user's sessions end too (`revoke_sessions`). */
  async updatePassword(userId: string, request: UpdatePasswordRequest, options?: RequestOptions): Promise<void> {
    return this.#client.patch(path`/users/${userId}/password`, request, { ...options, isSafeToRepeat: true });
  }

  async removePassword(userId: string, options?: RequestOptions): Promise<void> {
    return this.#client.delete(path`/users/${userId}/password`, options);
  }

  async listSocialConnections(userId: string, options?: RequestOptions): Promise<UserSocialConnection[]> {
    return (await this.#client.get<ListResponse<UserSocialConnection>>(path`/users/${userId}/social-connections`, options)).data;
  }

  async linkSocialConnection(userId: string, request: LinkSocialConnectionRequest, options?: RequestOptions): Promise<UserSocialConnection> {
    return this.#client.post(path`/users/${userId}/social-connections`, request, options);
  }

  async deleteSocialConnection(userId: string, connectionId: string, options?: RequestOptions): Promise<void> {
    return this.#client.delete(path`/users/${userId}/social-connections/${connectionId}`, options);
  }

  /** A fresh access token from the provider for one of the user's social connections (Clerk's getUserOauthAccessToken). */
  async getOauthAccessToken(userId: string, connectionId: string, options?: RequestOptions): Promise<OauthAccessToken> {
    return this.#client.get(path`/users/${userId}/social-connections/${connectionId}/access-token`, options);
  }

  async listSignins(userId: string, options: ListUserSigninsOptions = {}, requestOptions?: RequestOptions): Promise<UserSignin[]> {
    // Sent only when true, as the published SDK does: the flag's absence means false.
    const query = { include_expired: options.include_expired ? true : undefined };
    return (await this.#client.get<ListResponse<UserSignin>>(path`/users/${userId}/sessions`, { ...requestOptions, query })).data;
  }

  async revokeSignin(userId: string, signinId: string, options?: RequestOptions): Promise<void> {
    return this.#client.post(path`/users/${userId}/sessions/${signinId}/revoke`, undefined, { ...options, isSafeToRepeat: true });
  }

  async revokeAllSignins(userId: string, options?: RequestOptions): Promise<RevokeAllSigninsResponse> {
    return this.#client.post(path`/users/${userId}/sessions/revoke-all`, undefined, { ...options, isSafeToRepeat: true });
  }

  /** Lifts a sign-in lockout (too many wrong passwords) before it expires. */
  async unlockUser(userId: string, options?: RequestOptions): Promise<void> {
    return this.#client.post(path`/users/${userId}/unlock`, undefined, { ...options, isSafeToRepeat: true });
  }

  /**
   * Enrolls a TOTP authenticator with a secret the admin chose; ConflictError when one is active
   * (deleteAuthenticator first). Retried only on 429: a repeat would conflict with the first.
   */
  async createAuthenticator(userId: string, request: CreateAuthenticatorRequest, options?: RequestOptions): Promise<CreateAuthenticatorResponse> {
    return this.#client.post(path`/users/${userId}/authenticators`, request, { ...options, isAnswerSecret: true });
  }

  /** Removes the active TOTP authenticator (NotFoundError when none); backup codes stay. */
  async deleteAuthenticator(userId: string, options?: RequestOptions): Promise<void> {
    return this.#client.delete(path`/users/${userId}/authenticators`, options);
  }

  /**
   * 12 new backup codes, returned this once; the old ones stop working. Safe to repeat: a retry
   * only replaces codes whose answer never arrived.
   */
  async regenerateBackupCodes(userId: string, options?: RequestOptions): Promise<RegeneratedBackupCodesResponse> {
    return this.#client.post(path`/users/${userId}/backup-codes/regenerate`, undefined, { ...options, isSafeToRepeat: true, isAnswerSecret: true });
  }

  /** Newest first. */
  async listPasskeys(userId: string, options?: RequestOptions): Promise<UserPasskey[]> {
    return (await this.#client.get<ListResponse<UserPasskey>>(path`/users/${userId}/passkeys`, options)).data;
  }

  /** The name is trimmed; an empty one is a ValidationError. */
  async renamePasskey(userId: string, passkeyId: string, name: string, options?: RequestOptions): Promise<void> {
    return this.#client.patch(path`/users/${userId}/passkeys/${passkeyId}`, { name }, { ...options, isSafeToRepeat: true });
  }

  async deletePasskey(userId: string, passkeyId: string, options?: RequestOptions): Promise<void> {
    return this.#client.delete(path`/users/${userId}/passkeys/${passkeyId}`, options);
  }

  /** Always empty: Wacht has no organizations yet (NotFoundError for an unknown user). */
  async listOrganizationMemberships(userId: string, options?: RequestOptions): Promise<UserOrganizationMembership[]> {
    return (await this.#client.get<ListResponse<UserOrganizationMembership>>(path`/users/${userId}/organization-memberships`, options)).data;
  }

  /** Always empty: Wacht has no workspaces yet (NotFoundError for an unknown user). */
  async listWorkspaceMemberships(userId: string, options?: RequestOptions): Promise<UserWorkspaceMembership[]> {
    return (await this.#client.get<ListResponse<UserWorkspaceMembership>>(path`/users/${userId}/workspace-memberships`, options)).data;
  }

  /**
   * Checks a password the user typed (e.g. before a sensitive action in your app):
   * UnprocessableEntityError `password_incorrect` when wrong, ValidationError `user_has_no_password`
   * when the user has none. Counts toward the user's sign-in failure throttle.
   */
  async verifyPassword(userId: string, request: VerifyPasswordRequest, options?: RequestOptions): Promise<VerifyPasswordResponse> {
    return this.#client.post(path`/users/${userId}/verify-password`, request, { ...options, isSafeToRepeat: true });
  }

  /**
   * Checks a TOTP or backup code: UnprocessableEntityError `totp_incorrect` when wrong or already
   * used. Not safe to repeat (a code works once), so a retry carries an Idempotency-Key and the
   * server replays the first answer.
   */
  async verifyTotp(userId: string, request: VerifyTotpRequest, options?: RequestOptions): Promise<VerifyTotpResponse> {
    return this.#client.post(path`/users/${userId}/verify-totp`, request, options);
  }
}
