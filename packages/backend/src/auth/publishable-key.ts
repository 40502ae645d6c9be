import type { WachtServerOptions } from "./types.js";

const PREFIXES = ["pk_test_", "pk_live_"];

/**
 * The frontend API URL a publishable key encodes: `pk_test_`/`pk_live_` + standard base64 of the
 * URL; the answer is its origin. Null for anything else.
 */
export function parseFrontendApiUrlFromPublishableKey(publishableKey?: string): string | null {
  if (!publishableKey) return null;
  const value = publishableKey.trim();
  const prefix = PREFIXES.find((candidate) => value.startsWith(candidate));
  const encoded = prefix ? value.slice(prefix.length) : "";
  if (!encoded) return null;
  try {
    // atob takes standard base64, padded or not; it is on every runtime this package supports.
    return new URL(atob(encoded)).origin.replace(/\/$/, "");
  } catch {
    return null;
  }
}

function readPublishableKeyFromEnv(): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    return env?.NEXT_PUBLIC_WACHT_PUBLISHABLE_KEY || env?.WACHT_PUBLISHABLE_KEY || undefined;
  } catch {
    return undefined;
  }
}

/** The frontend API URL from `options.publishableKey` or the environment; throws when there is none (a setup mistake). */
export function frontendApiUrlOf(options: WachtServerOptions): string {
  const url = parseFrontendApiUrlFromPublishableKey(options.publishableKey || readPublishableKeyFromEnv());
  if (url) return url;
  throw new Error("Unable to derive frontend API URL from publishable key. Set WACHT_PUBLISHABLE_KEY or NEXT_PUBLIC_WACHT_PUBLISHABLE_KEY.");
}
