/**
 * Provider names as other systems spell them → ours ("google" is stored as google_oauth).
 * Names not listed pass through lower-cased, with anything but letters, digits and _ made _.
 */
const KNOWN: Record<string, string> = {
  "google-oauth2": "google",
  "google.com": "google",
  "facebook.com": "facebook",
  "twitter.com": "twitter",
  "github.com": "github",
  "apple.com": "apple",
  "microsoft.com": "microsoft",
  windowslive: "microsoft",
  azure: "microsoft",
  "linkedin-oauth2": "linkedin",
  linkedin_oidc: "linkedin",
};

export function providerNameOf(raw: string): string {
  const lower = raw.trim().toLowerCase();
  return KNOWN[lower] ?? lower.replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
}
