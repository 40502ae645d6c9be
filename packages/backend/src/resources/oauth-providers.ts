import type { WachtClient } from "../client.js";
import { path } from "../core/path.js";
import type { RequestOptions } from "../core/request.js";

/** google_oauth, github_oauth, microsoft_oauth, apple_oauth, or oidc_<slug> for any OpenID Connect issuer. */
export type OauthProviderName = "google_oauth" | "github_oauth" | "microsoft_oauth" | "apple_oauth" | `oidc_${string}`;

/** A configured identity provider. The client secret is write-only: `has_client_secret` says one is stored. */
export interface OauthProvider {
  provider: string;
  client_id: string;
  issuer: string | null;
  scopes: string[];
  enabled: boolean;
  has_client_secret: boolean;
  created_at: string;
  updated_at: string;
}

export interface CreateOauthProviderRequest {
  provider: OauthProviderName;
  client_id: string;
  client_secret: string;
  /** Required for oidc_<slug>; for the others, defaults to the provider's own issuer. */
  issuer?: string | null;
  scopes?: string[];
  enabled?: boolean;
}

export type UpdateOauthProviderRequest = Partial<Omit<CreateOauthProviderRequest, "provider">>;

export interface OauthSettings {
  /** Where a social sign-in may return to (origin and path must match exactly). */
  redirect_urls: string[];
  /** Whether a social sign-in may create a user (default true). */
  allow_sign_up: boolean;
}

/** A fresh provider access token for one of a user's social connections (refreshed when it had expired). */
export interface OauthAccessToken {
  connection_id: string;
  provider: string;
  access_token: string;
  token_type: string;
  scopes: string[];
  expires_at: string | null;
}

/** `client.oauthProviders`: the identity providers a deployment's users sign in with, and its social sign-in settings. */
export class OauthProviders {
  readonly #client: WachtClient;

  constructor(client: WachtClient) {
    this.#client = client;
  }

  async list(options?: RequestOptions): Promise<OauthProvider[]> {
    return (await this.#client.get<{ data: OauthProvider[] }>("/oauth-providers", options)).data;
  }

  async get(provider: string, options?: RequestOptions): Promise<OauthProvider> {
    return this.#client.get(path`/oauth-providers/${provider}`, options);
  }

  async create(request: CreateOauthProviderRequest, options?: RequestOptions): Promise<OauthProvider> {
    return this.#client.post("/oauth-providers", request, options);
  }

  /** Sending the same change twice leaves the same provider: safe to retry. */
  async update(provider: string, request: UpdateOauthProviderRequest, options?: RequestOptions): Promise<OauthProvider> {
    return this.#client.patch(path`/oauth-providers/${provider}`, request, { ...options, isSafeToRepeat: true });
  }

  async delete(provider: string, options?: RequestOptions): Promise<void> {
    return this.#client.delete(path`/oauth-providers/${provider}`, options);
  }

  async getSettings(options?: RequestOptions): Promise<OauthSettings> {
    return this.#client.get("/oauth-settings", options);
  }

  async updateSettings(request: Partial<OauthSettings>, options?: RequestOptions): Promise<OauthSettings> {
    return this.#client.patch("/oauth-settings", request, { ...options, isSafeToRepeat: true });
  }
}
