import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";

/**
 * The relying party a deployment's passkeys are bound to: its frontend API URL. The RP ID is the
 * host, and assertions must come from that exact origin.
 */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export function relyingPartyOf(frontendApiUrl: string, appName: string): RelyingParty {
  return { id: new URL(frontendApiUrl).hostname, origin: frontendApiUrl, name: appName };
}

export type { AuthenticationResponseJSON, RegistrationResponseJSON };

/** How long a client has to answer a challenge (the browser's prompt timeout too). */
export const WEBAUTHN_CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;

/**
 * The signature counter in an assertion's authenticator data (bytes 33–36 after the RP ID hash
 * and flags), or null when the data is too short to hold one.
 */
export function signCountOf(authenticatorDataBase64Url: string): number | null {
  const bytes = Buffer.from(authenticatorDataBase64Url, "base64url");
  return bytes.length >= 37 ? bytes.readUInt32BE(33) : null;
}

/** A clone of an authenticator shows a counter at or below one already seen (0 → 0 is a device without a counter). */
export const isCounterRegression = (storedCount: number, presentedCount: number) => (storedCount > 0 || presentedCount > 0) && presentedCount <= storedCount;
