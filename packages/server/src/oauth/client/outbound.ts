import { isLoopbackUrl } from "../../oauth-providers/provider-kinds.js";
import { OauthFailure } from "./provider-error.js";

/** A provider's answers are small JSON documents; anything larger is not one of them. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface ProviderResponse {
  status: number;
  body: unknown;
}

/** Whether we may send a request (and a secret) to this URL at all: https, or http on this machine. */
export function isSafeProviderUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackUrl(url));
  } catch {
    return false;
  }
}

/**
 * The one way we call an identity provider: only to a URL the provider's configuration named
 * (`allowedOrigins`), never following a redirect elsewhere, within `timeoutMs`, reading at most
 * 1 MiB of JSON. A network failure, a timeout, a 5xx or a non-JSON answer is "provider_unavailable";
 * a 4xx is returned for the caller to judge.
 */
export async function callProvider(url: string, init: RequestInit, options: { timeoutMs: number; allowedOrigins: Set<string> }): Promise<ProviderResponse> {
  if (!isSafeProviderUrl(url) || !options.allowedOrigins.has(new URL(url).origin)) {
    throw new OauthFailure("provider_misconfigured", `Refusing to call ${new URL(url).origin}: not one of the provider's configured URLs.`);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: { accept: "application/json", ...init.headers },
    });
  } catch (error) {
    throw new OauthFailure("provider_unavailable", `${new URL(url).origin} did not answer: ${(error as Error).message}`);
  }
  if (response.status >= 500 || (response.status >= 300 && response.status < 400)) {
    await response.body?.cancel();
    throw new OauthFailure("provider_unavailable", `${new URL(url).origin} answered ${response.status}.`);
  }
  const text = (await readLimited(response, url, MAX_RESPONSE_BYTES)).toString("utf8");
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    throw new OauthFailure("provider_unavailable", `${new URL(url).origin} answered ${response.status} with something other than JSON.`);
  }
}

/**
 * The bytes of a small file a provider serves (a profile picture), under the same rules as
 * callProvider; null on any failure, since a missing picture must not stop a sign-in.
 */
export async function fetchProviderFile(
  url: string,
  options: { timeoutMs: number; maxBytes: number; isAllowed: (url: URL) => boolean },
): Promise<Buffer | null> {
  if (!isSafeProviderUrl(url) || !options.isAllowed(new URL(url))) return null;
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(options.timeoutMs) });
    if (response.status !== 200) {
      await response.body?.cancel();
      return null;
    }
    return await readLimited(response, url, options.maxBytes);
  } catch {
    return null;
  }
}

async function readLimited(response: Response, url: string, maxBytes: number): Promise<Buffer> {
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new OauthFailure("provider_unavailable", `${new URL(url).origin} sent more than ${maxBytes} bytes.`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof OauthFailure) throw error;
    throw new OauthFailure("provider_unavailable", `${new URL(url).origin} broke off its answer: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks);
}
