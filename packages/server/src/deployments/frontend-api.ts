/**
 * A deployment's frontend API: the URL end users' browsers (and apps' backends) reach for sign-in,
 * session tokens and the JWKS. Its origin is the `iss` of every session token, and the
 * publishable key is that origin in base64 — which is how the published @wacht/backend finds it.
 */

export interface FrontendApiUrl {
  /** The origin, without a trailing slash: e.g. https://auth.example.com */
  url: string;
  /** Lower-case host (with a port unless it is the scheme's default): what requests are matched on. */
  host: string;
}

/** The URL reduced to its origin, or null unless it is a plain http(s) origin (no path, query or credentials). */
export function parseFrontendApiUrl(raw: string): FrontendApiUrl | null {
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  if (parsed.username || parsed.password || parsed.search || parsed.hash || (parsed.pathname !== "/" && parsed.pathname !== "")) return null;
  // URL already lower-cases the host and drops the scheme's default port.
  return { url: parsed.origin, host: parsed.host };
}

/** The origin of any http(s) URL (WACHT_PUBLIC_URL may carry a path; the frontend API is at its origin's root). */
export function originOf(raw: string): string | null {
  try {
    const parsed = new URL(raw.trim());
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
  } catch {
    return null;
  }
}

/**
 * `pk_test_` + base64 of the origin. The published client decodes with atob() and then
 * `new URL(…).origin`, so the text must be standard base64 (not base64url) of a whole URL with
 * its scheme, and must not end in `$`: "http://127.0.0.1:3000$" is not a valid URL there.
 */
export function publishableKeyOf(frontendApiUrl: string): string {
  return `pk_test_${Buffer.from(frontendApiUrl, "utf8").toString("base64")}`;
}

/** A Host header as a FrontendApiUrl host: lower case, without the scheme's default port. */
export function normalizeHost(host: string, protocol: "http" | "https"): string {
  const lower = host.trim().toLowerCase();
  const defaultPort = protocol === "https" ? ":443" : ":80";
  return lower.endsWith(defaultPort) ? lower.slice(0, -defaultPort.length) : lower;
}
