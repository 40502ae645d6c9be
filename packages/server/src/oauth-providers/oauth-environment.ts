import type { SecretBox } from "../crypto/secret-box.js";
import type { Db } from "../storage/db.js";
import { putOauthProvider, updateOauthSettings, type OauthProviderInput } from "./oauth-providers.service.js";

/** The default deployment's social sign-in, as environment variables describe it. */
export interface OauthEnvironment {
  providers: OauthProviderInput[];
  /** WACHT_OAUTH_REDIRECT_URLS (comma-separated); undefined leaves the stored list alone. */
  redirectUrls: string[] | undefined;
  /** WACHT_OAUTH_ALLOW_SIGN_UP ("true"/"false"); undefined leaves the stored setting alone. */
  allowSignUp: boolean | undefined;
}

const CLIENT_ID_VARIABLE = /^WACHT_OAUTH_([A-Z0-9_]+)_CLIENT_ID$/;

/** GOOGLE → google_oauth, OIDC_ACME → oidc_acme. */
const providerNameOf = (prefix: string) => (prefix.startsWith("OIDC_") ? prefix.toLowerCase() : `${prefix.toLowerCase()}_oauth`);

/**
 * Reads WACHT_OAUTH_<NAME>_CLIENT_ID / _CLIENT_SECRET (and optional _ISSUER, _SCOPES) for each
 * provider, e.g. WACHT_OAUTH_GOOGLE_…, WACHT_OAUTH_GITHUB_…, WACHT_OAUTH_OIDC_ACME_… for oidc_acme.
 */
export function readOauthEnvironment(env: NodeJS.ProcessEnv): OauthEnvironment {
  const providers: OauthProviderInput[] = [];
  for (const [name, value] of Object.entries(env)) {
    const match = CLIENT_ID_VARIABLE.exec(name);
    if (!match || !value) continue;
    const prefix = `WACHT_OAUTH_${match[1]}`;
    const clientSecret = env[`${prefix}_CLIENT_SECRET`];
    if (!clientSecret) throw new Error(`${name} is set, so ${prefix}_CLIENT_SECRET must be set too.`);
    const scopes = env[`${prefix}_SCOPES`];
    providers.push({
      provider: providerNameOf(match[1]!),
      clientId: value,
      clientSecret,
      issuer: env[`${prefix}_ISSUER`] || undefined,
      scopes: scopes ? scopes.split(/[\s,]+/).filter(Boolean) : undefined,
      enabled: true,
    });
  }
  const rawUrls = env.WACHT_OAUTH_REDIRECT_URLS;
  const rawSignUp = env.WACHT_OAUTH_ALLOW_SIGN_UP;
  if (rawSignUp !== undefined && rawSignUp !== "" && rawSignUp !== "true" && rawSignUp !== "false") {
    throw new Error(`WACHT_OAUTH_ALLOW_SIGN_UP must be true or false, got '${rawSignUp}'.`);
  }
  return {
    providers: providers.sort((a, b) => a.provider.localeCompare(b.provider)),
    redirectUrls: rawUrls
      ? rawUrls
          .split(",")
          .map((url) => url.trim())
          .filter(Boolean)
      : undefined,
    allowSignUp: rawSignUp === "true" ? true : rawSignUp === "false" ? false : undefined,
  };
}

/**
 * At every start, the environment's providers and settings are written to the default
 * deployment (secrets sealed), so the API, the CLI and the flow read one source. What the
 * environment does not name stays as an admin set it.
 */
export async function applyOauthEnvironment(db: Db, secretBox: SecretBox, deploymentId: string, environment: OauthEnvironment): Promise<void> {
  for (const provider of environment.providers) await putOauthProvider(db, secretBox, deploymentId, provider);
  if (environment.redirectUrls !== undefined || environment.allowSignUp !== undefined) {
    await updateOauthSettings(db, deploymentId, { redirectUrls: environment.redirectUrls, allowSignUp: environment.allowSignUp });
  }
}
