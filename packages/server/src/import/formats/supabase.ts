import type { ImportUser } from "../import.schemas.js";
import { selfDescribingDigest } from "./digests.js";
import { readTableRows } from "./records.js";
import { providerNameOf } from "./social-providers.js";
import { SpillIndex } from "./spill-index.js";
import { droppedKeys, isPresent, isTruthy, jsonObjectOf, splitName, toIsoTime, type BytesRead, type FormatReader } from "./types.js";

const KEPT = [
  "id",
  "email",
  "encrypted_password",
  "email_confirmed_at",
  "confirmed_at",
  "phone",
  "phone_confirmed_at",
  "raw_user_meta_data",
  "raw_app_meta_data",
  "created_at",
  "updated_at",
  "banned_until",
  "deleted_at",
  "is_anonymous",
  // Internal to Supabase: never meaningful elsewhere, so not worth reporting.
  "instance_id",
  "aud",
  "role",
  "is_sso_user",
  "is_super_admin",
  "email_change_confirm_status",
];

interface Identity {
  provider: string;
  providerId: string;
  email: string | null;
}

/**
 * Supabase's `auth.users` (and optionally `auth.identities`), exported with SQL as CSV, a JSON
 * array or NDJSON. Identities are streamed into a temporary on-disk index by user_id first
 * (SpillIndex), so the users file streams with bounded memory.
 */
export async function* readSupabase(path: string, options: { identitiesPath?: string; now?: number; onBytesRead?: BytesRead } = {}): FormatReader {
  const identities = options.identitiesPath ? await indexIdentities(options.identitiesPath) : null;
  const now = options.now ?? Date.now();
  try {
    for await (const { row, location, reason } of readTableRows(path, options.onBytesRead)) {
      if (!row) {
        yield { location, reason: reason!, dropped: [] };
        continue;
      }
      if (isPresent(row.deleted_at)) {
        yield { location, reason: "the user is deleted in Supabase (deleted_at is set)", dropped: [] };
        continue;
      }
      if (isTruthy(row.is_anonymous)) {
        yield { location, reason: "anonymous users have no identifier to sign in with", dropped: [] };
        continue;
      }
      const connections = identities ? identities.get<Identity>(String(row.id)) : [];
      yield {
        location,
        item: toItem(row, connections, now),
        dropped: droppedKeys(row, KEPT).filter((key) => !/token|_sent_at|^email_change|^phone_change|^reauthentication|last_sign_in_at|invited_at/.test(key)),
      };
    }
  } finally {
    identities?.close();
  }
}

async function indexIdentities(path: string): Promise<SpillIndex> {
  const index = new SpillIndex();
  for await (const { row } of readTableRows(path)) {
    if (!row || !isPresent(row.user_id) || !isPresent(row.provider)) continue;
    const provider = String(row.provider);
    // email and phone identities are the user's own addresses, already on the users row.
    if (provider === "email" || provider === "phone") continue;
    const data = jsonObjectOf(row.identity_data) ?? {};
    const providerId = row.provider_id ?? data.sub ?? row.id;
    if (!isPresent(providerId)) continue;
    const email = (row.email ?? data.email ?? null) as string | null;
    index.add(String(row.user_id), { provider, providerId: String(providerId), email } satisfies Identity);
  }
  index.seal();
  return index;
}

function toItem(row: Record<string, unknown>, identities: Identity[], now: number): ImportUser {
  const userMetadata = jsonObjectOf(row.raw_user_meta_data);
  const appMetadata = jsonObjectOf(row.raw_app_meta_data);
  const names =
    isPresent(userMetadata?.first_name) || isPresent(userMetadata?.last_name)
      ? { first_name: userMetadata?.first_name as string | undefined, last_name: userMetadata?.last_name as string | undefined }
      : splitName((userMetadata?.full_name ?? userMetadata?.name) as string | undefined);
  const bannedUntil = toIsoTime(row.banned_until);
  const email = row.email as string | null;
  const phone = row.phone as string | null;
  return {
    external_id: String(row.id),
    ...(typeof names.first_name === "string" && names.first_name && { first_name: names.first_name }),
    ...(typeof names.last_name === "string" && names.last_name && { last_name: names.last_name }),
    email_addresses: email ? [{ email, verified: isPresent(row.email_confirmed_at) }] : [],
    // Supabase stores phones as digits without the "+".
    phone_numbers: phone ? [{ phone_number: phone.startsWith("+") ? phone : `+${phone}`, verified: isPresent(row.phone_confirmed_at) }] : [],
    ...selfDescribingDigest(row.encrypted_password as string | null),
    ...(toIsoTime(row.created_at) && { created_at: toIsoTime(row.created_at) }),
    ...(bannedUntil && Date.parse(bannedUntil) > now && { disabled: true }),
    ...(userMetadata && { public_metadata: userMetadata }),
    ...(appMetadata && { private_metadata: appMetadata }),
    social_connections: identities.map((identity) => ({
      provider: providerNameOf(identity.provider),
      provider_user_id: identity.providerId,
      email_address: identity.email,
    })),
  };
}
