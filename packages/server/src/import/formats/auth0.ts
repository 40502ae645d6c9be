import type { ImportUser } from "../import.schemas.js";
import { selfDescribingDigest } from "./digests.js";
import { readLines } from "./lines.js";
import { providerNameOf } from "./social-providers.js";
import { SpillIndex } from "./spill-index.js";
import { droppedKeys, fileChunks, isPresent, splitName, type BytesRead, type FormatReader } from "./types.js";

interface Auth0User {
  user_id?: string;
  email?: string;
  email_verified?: boolean;
  username?: string;
  phone_number?: string;
  phone_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  identities?: Array<{ connection?: string; provider?: string; user_id?: string | number; isSocial?: boolean; profileData?: { email?: string } }>;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  created_at?: string;
  blocked?: boolean;
  [key: string]: unknown;
}

interface Auth0PasswordHash {
  _id?: { $oid?: string };
  alt_id?: string;
  email?: string;
  passwordHash?: string;
  identifiers?: Array<{ type?: string; value?: string }>;
}

const KEPT = [
  "user_id",
  "email",
  "email_verified",
  "username",
  "phone_number",
  "phone_verified",
  "name",
  "given_name",
  "family_name",
  "identities",
  "app_metadata",
  "user_metadata",
  "created_at",
  "updated_at",
  "blocked",
];

/**
 * Auth0's bulk user export (NDJSON, `POST /api/v2/jobs/users-exports` with format json) and,
 * optionally, the password-hash export support sends (NDJSON). The hash file is streamed into a
 * temporary on-disk index keyed by user id and by email (SpillIndex), then the users file is
 * streamed and each user looks its hash up there: neither file is ever held in memory.
 */
export async function* readAuth0(path: string, options: { passwordHashesPath?: string; onBytesRead?: BytesRead } = {}): FormatReader {
  const hashes = options.passwordHashesPath ? await indexPasswordHashes(options.passwordHashesPath) : null;
  try {
    for await (const { line, lineNumber } of readLines(fileChunks(path, options.onBytesRead))) {
      if (line.trim() === "") continue;
      const location = `line ${lineNumber}`;
      let user: Auth0User;
      try {
        user = JSON.parse(line) as Auth0User;
      } catch (error) {
        yield { location, reason: `not valid JSON: ${(error as Error).message}`, dropped: [] };
        continue;
      }
      const digest = hashes ? findHash(hashes, user) : undefined;
      yield { location, item: toItem(user, digest), dropped: droppedKeys(user, KEPT) };
    }
  } finally {
    hashes?.close();
  }
}

async function indexPasswordHashes(path: string): Promise<SpillIndex> {
  const index = new SpillIndex();
  for await (const { line } of readLines(fileChunks(path))) {
    if (line.trim() === "") continue;
    let record: Auth0PasswordHash;
    try {
      record = JSON.parse(line) as Auth0PasswordHash;
    } catch {
      continue;
    }
    if (!record.passwordHash) continue;
    // user_id is auth0|<alt_id> for users created with their own id, else auth0|<Mongo id>.
    const id = record.alt_id ?? record._id?.$oid;
    if (id) index.add(`id:auth0|${id}`, record.passwordHash);
    const email = record.email ?? record.identifiers?.find((identifier) => identifier.type === "email")?.value;
    if (email) index.add(`email:${email.toLowerCase()}`, record.passwordHash);
  }
  index.seal();
  return index;
}

function findHash(index: SpillIndex, user: Auth0User): string | undefined {
  if (user.user_id) {
    const [byId] = index.get<string>(`id:${user.user_id}`);
    if (byId) return byId;
  }
  if (!user.email) return undefined;
  const byEmail = index.get<string>(`email:${user.email.toLowerCase()}`);
  // Several connections may share one email; only a single match is unambiguous.
  return byEmail.length === 1 ? byEmail[0] : undefined;
}

function toItem(user: Auth0User, digest: string | undefined): ImportUser {
  const socialIdentities = (user.identities ?? []).filter((identity) => identity.isSocial && identity.provider && isPresent(identity.user_id));
  const names =
    isPresent(user.given_name) || isPresent(user.family_name) ? { first_name: user.given_name, last_name: user.family_name } : nameParts(user.name, user.email);
  return {
    ...(user.user_id && { external_id: user.user_id }),
    ...(names.first_name && { first_name: names.first_name }),
    ...(names.last_name && { last_name: names.last_name }),
    ...(user.username && { username: user.username }),
    email_addresses: user.email ? [{ email: user.email, verified: user.email_verified === true }] : [],
    phone_numbers: user.phone_number ? [{ phone_number: user.phone_number, verified: user.phone_verified === true }] : [],
    ...selfDescribingDigest(digest),
    ...(user.created_at && { created_at: new Date(user.created_at).toISOString() }),
    ...(user.blocked === true && { disabled: true }),
    ...(user.user_metadata && { public_metadata: user.user_metadata }),
    ...(user.app_metadata && { private_metadata: user.app_metadata }),
    social_connections: socialIdentities.map((identity) => ({
      provider: providerNameOf(identity.provider!),
      provider_user_id: String(identity.user_id),
      email_address: identity.profileData?.email ?? user.email ?? null,
    })),
  };
}

/** Auth0 fills `name` with the email for database users: that is not a name. */
function nameParts(name: string | undefined, email: string | undefined): { first_name?: string; last_name?: string } {
  return !name || name === email ? {} : splitName(name);
}
