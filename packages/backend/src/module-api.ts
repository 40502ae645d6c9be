import { WachtClient, type WachtClientOptions } from "./client.js";
import type { PaginatedResponse } from "./core/pagination.js";
import type {
  AddEmailRequest,
  AddPhoneRequest,
  CreateUserRequest,
  LinkSocialConnectionRequest,
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
} from "./resources/users.types.js";

/*
 * The published SDK's call style: `users.listUsers(options?, client?)`, with a
 * process-wide client behind initClient/getClient. The global exists only for
 * that compatibility; prefer `new WachtClient()` and `client.users`.
 * Every function takes the client last and, unlike the published SDK, never
 * mistakes a client for a missing optional argument.
 */

let globalClient: WachtClient | null = null;

/** Sets the client the module-style functions use when given none. */
export function initClient(config: WachtClientOptions): void {
  globalClient = new WachtClient(config);
}

/** The global client, created on first use from WACHT_API_KEY / WACHT_BACKEND_API_URL. */
export function getClient(): WachtClient {
  globalClient ??= new WachtClient();
  return globalClient;
}

export function isClientInitialized(): boolean {
  return globalClient !== null;
}

const use = (client: WachtClient | undefined) => (client ?? getClient()).users;

export const users = {
  listUsers: async (options?: ListUsersOptions, client?: WachtClient): Promise<PaginatedResponse<User>> => use(client).listUsers(options),
  iterateUsers: async function* (options?: ListUsersOptions, client?: WachtClient): AsyncGenerator<User, void, undefined> {
    yield* use(client).iterateUsers(options);
  },
  getUser: async (userId: string, client?: WachtClient): Promise<UserDetails> => use(client).getUser(userId),
  getUserByEmail: async (email: string, client?: WachtClient): Promise<UserDetails> => use(client).getUserByEmail(email),
  createUser: async (request: CreateUserRequest, client?: WachtClient): Promise<User> => use(client).createUser(request),
  updateUser: async (userId: string, request: UpdateUserRequest, client?: WachtClient): Promise<UserDetails> => use(client).updateUser(userId, request),
  deleteUser: async (userId: string, client?: WachtClient): Promise<void> => use(client).deleteUser(userId),
  listEmails: async (userId: string, client?: WachtClient): Promise<UserEmail[]> => use(client).listEmails(userId),
  addEmail: async (userId: string, request: AddEmailRequest, client?: WachtClient): Promise<UserEmail> => use(client).addEmail(userId, request),
  updateEmail: async (userId: string, emailId: string, request: UpdateEmailRequest, client?: WachtClient): Promise<UserEmail> =>
    use(client).updateEmail(userId, emailId, request),
  deleteEmail: async (userId: string, emailId: string, client?: WachtClient): Promise<void> => use(client).deleteEmail(userId, emailId),
  makeEmailPrimary: async (userId: string, emailId: string, client?: WachtClient): Promise<void> => use(client).makeEmailPrimary(userId, emailId),
  listPhones: async (userId: string, client?: WachtClient): Promise<UserPhone[]> => use(client).listPhones(userId),
  addPhone: async (userId: string, request: AddPhoneRequest, client?: WachtClient): Promise<UserPhone> => use(client).addPhone(userId, request),
  updatePhone: async (userId: string, phoneId: string, request: UpdatePhoneRequest, client?: WachtClient): Promise<UserPhone> =>
    use(client).updatePhone(userId, phoneId, request),
  deletePhone: async (userId: string, phoneId: string, client?: WachtClient): Promise<void> => use(client).deletePhone(userId, phoneId),
  makePhonePrimary: async (userId: string, phoneId: string, client?: WachtClient): Promise<void> => use(client).makePhonePrimary(userId, phoneId),
  updatePassword: async (userId: string, request: UpdatePasswordRequest, client?: WachtClient): Promise<void> =>
    use(client).updatePassword(userId, request),
  removePassword: async (userId: string, client?: WachtClient): Promise<void> => use(client).removePassword(userId),
  listSocialConnections: async (userId: string, client?: WachtClient): Promise<UserSocialConnection[]> => use(client).listSocialConnections(userId),
  linkSocialConnection: async (userId: string, request: LinkSocialConnectionRequest, client?: WachtClient): Promise<UserSocialConnection> =>
    use(client).linkSocialConnection(userId, request),
  deleteSocialConnection: async (userId: string, connectionId: string, client?: WachtClient): Promise<void> =>
    use(client).deleteSocialConnection(userId, connectionId),
  listSignins: async (userId: string, options?: ListUserSigninsOptions, client?: WachtClient): Promise<UserSignin[]> =>
    use(client).listSignins(userId, options),
  revokeSignin: async (userId: string, signinId: string, client?: WachtClient): Promise<void> => use(client).revokeSignin(userId, signinId),
  revokeAllSignins: async (userId: string, client?: WachtClient): Promise<RevokeAllSigninsResponse> => use(client).revokeAllSignins(userId),
  unlockUser: async (userId: string, client?: WachtClient): Promise<void> => use(client).unlockUser(userId),
};
