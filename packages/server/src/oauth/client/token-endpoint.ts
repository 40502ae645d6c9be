import type { ProviderEndpoints } from "./provider-directory.js";
import { callProvider } from "./outbound.js";
import { OauthFailure } from "./provider-error.js";

export interface ProviderTokens {
  accessToken: string;
  refreshToken: string | null;
  tokenType: string;
  scopes: string[];
  expiresAtMs: number | null;
  /** OIDC only; verified by id-token.ts before anything in it is believed. */
  idToken: string | null;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

interface TokenResponse {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  scope?: unknown;
  id_token?: unknown;
  error?: unknown;
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they go into Basic. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");

/**
 * One request to the token endpoint (authorization code or refresh). A refused grant (a used,
 * expired or foreign code, a PKCE verifier that does not match) is "code_rejected"; a refused
 * client is "provider_misconfigured". GitHub answers its refusals with status 200 and an `error`.
 */
export async function requestTokens(
  endpoints: ProviderEndpoints,
  client: ClientCredentials,
  grant: Record<string, string>,
  options: { timeoutMs: number; requestedScopes: string[]; nowMs: number },
): Promise<ProviderTokens> {
  const form = new URLSearchParams(grant);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (endpoints.tokenAuthMethod === "client_secret_basic") {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`).toString("base64")}`;
  } else {
    form.set("client_id", client.clientId);
    form.set("client_secret", client.clientSecret);
  }
  const { status, body } = await callProvider(
    endpoints.tokenEndpoint,
    { method: "POST", headers, body: form.toString() },
    { timeoutMs: options.timeoutMs, allowedOrigins: endpoints.allowedOrigins },
  );
  const answer = (typeof body === "object" && body !== null ? body : {}) as TokenResponse;
  if (status !== 200 || answer.error !== undefined) {
    const error = typeof answer.error === "string" ? answer.error : `status ${status}`;
    const code =
      error === "invalid_client" || error === "unauthorized_client" || error === "incorrect_client_credentials" ? "provider_misconfigured" : "code_rejected";
    throw new OauthFailure(code, `The token endpoint refused the grant: ${error.slice(0, 100)}.`);
  }
  if (typeof answer.access_token !== "string" || answer.access_token === "")
    throw new OauthFailure("provider_error", "The token endpoint sent no access_token.");
  const expiresIn = typeof answer.expires_in === "number" ? answer.expires_in : typeof answer.expires_in === "string" ? Number(answer.expires_in) : NaN;
  return {
    accessToken: answer.access_token,
    refreshToken: typeof answer.refresh_token === "string" && answer.refresh_token !== "" ? answer.refresh_token : null,
    tokenType: typeof answer.token_type === "string" ? answer.token_type : "Bearer",
    // RFC 6749 §5.1: no scope in the answer means the scopes asked for were granted. GitHub separates with commas.
    scopes: typeof answer.scope === "string" ? answer.scope.split(/[\s,]+/).filter(Boolean) : options.requestedScopes,
    expiresAtMs: Number.isFinite(expiresIn) && expiresIn > 0 ? options.nowMs + expiresIn * 1000 : null,
    idToken: typeof answer.id_token === "string" ? answer.id_token : null,
  };
}
