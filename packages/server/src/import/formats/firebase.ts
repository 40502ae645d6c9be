import type { ImportUser } from "../import.schemas.js";
import { firebaseScryptDigest } from "./digests.js";
import { readJsonArrayElements } from "./json-array.js";
import { providerNameOf } from "./social-providers.js";
import { droppedKeys, fileChunks, jsonObjectOf, splitName, toIsoTime, type BytesRead, type FirebaseHashConfig, type FormatReader } from "./types.js";

interface FirebaseUser {
  localId?: string;
  email?: string;
  emailVerified?: boolean;
  passwordHash?: string;
  salt?: string;
  displayName?: string;
  phoneNumber?: string;
  disabled?: boolean;
  createdAt?: string;
  customAttributes?: string;
  providerUserInfo?: Array<{ providerId?: string; rawId?: string; email?: string }>;
  [key: string]: unknown;
}

const KEPT = [
  "localId",
  "email",
  "emailVerified",
  "passwordHash",
  "salt",
  "displayName",
  "phoneNumber",
  "disabled",
  "createdAt",
  "customAttributes",
  "providerUserInfo",
];

/**
 * `firebase auth:export users.json --format=json`: `{"users": [ … ]}`, streamed element by
 * element. Password hashes verify only with the project's hash parameters, so they are imported
 * only when `hashConfig` is given (and reported as dropped otherwise).
 */
export async function* readFirebase(path: string, options: { hashConfig?: FirebaseHashConfig; onBytesRead?: BytesRead } = {}): FormatReader {
  for await (const { value, elementNumber } of readJsonArrayElements(fileChunks(path, options.onBytesRead), "users")) {
    const location = `user ${elementNumber}`;
    if (typeof value !== "object" || value === null) {
      yield { location, reason: "not a JSON object", dropped: [] };
      continue;
    }
    const user = value as FirebaseUser;
    const dropped = droppedKeys(user, KEPT);
    if (user.passwordHash && !options.hashConfig) dropped.push("passwordHash (no --hash-key given)");
    yield { location, item: toItem(user, options.hashConfig), dropped };
  }
}

function toItem(user: FirebaseUser, hashConfig: FirebaseHashConfig | undefined): ImportUser {
  const names = splitName(user.displayName);
  const customClaims = jsonObjectOf(user.customAttributes);
  return {
    ...(user.localId && { external_id: user.localId }),
    ...names,
    email_addresses: user.email ? [{ email: user.email, verified: user.emailVerified === true }] : [],
    // Firebase holds a phone number only once it was proven by SMS.
    phone_numbers: user.phoneNumber ? [{ phone_number: user.phoneNumber, verified: true }] : [],
    ...(user.passwordHash && user.salt && hashConfig && firebaseScryptDigest(user.passwordHash, user.salt, hashConfig)),
    ...(toIsoTime(user.createdAt) && { created_at: toIsoTime(user.createdAt) }),
    ...(user.disabled === true && { disabled: true }),
    // Custom claims ride in the user's ID tokens: public, like our public_metadata.
    ...(customClaims && { public_metadata: customClaims }),
    social_connections: (user.providerUserInfo ?? [])
      .filter((info) => info.providerId && info.rawId && info.providerId !== "password" && info.providerId !== "phone")
      .map((info) => ({ provider: providerNameOf(info.providerId!), provider_user_id: info.rawId!, email_address: info.email ?? null })),
  };
}
