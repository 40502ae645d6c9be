import type { JWTPayload } from "jose";
import { onFirstUse } from "../../on-first-use.js";
import type { ProviderCredentials } from "../../oauth-providers/oauth-providers.service.js";
import { callProvider } from "./outbound.js";
import type { ProviderDirectory, ProviderEndpoints } from "./provider-directory.js";
import { OauthFailure } from "./provider-error.js";
import type { ProviderTokens } from "./token-endpoint.js";

/** Who signed in, as the provider vouches for it. */
export interface ProviderIdentity {
  /** The provider's stable id for the account (`sub`, GitHub's numeric id): what connections are keyed on. */
  subject: string;
  email: string | null;
  /** True only when the provider says it has verified the address. */
  isEmailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  pictureUrl: string | null;
}

// Asymmetric only: an HS256 token would be "signed" with the client secret, which the token proves nothing about.
const ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const CLOCK_TOLERANCE_SECONDS = 60;
// Loaded with the first ID token, not at start (bench/README.md, issue 14).
const jose = onFirstUse(() => import("jose"));

const text = (value: unknown, maxLength = 512): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, maxLength) : null);
// Some providers (Apple among them) send email_verified as the string "true".
const isTrue = (value: unknown) => value === true || value === "true";

/**
 * Verifies an ID token (OpenID Connect Core §3.1.3.7): signed by a key in the provider's JWKS with
 * an asymmetric algorithm, `iss` the discovered issuer, `aud` our client id (and `azp` when there
 * are several audiences), unexpired, and carrying the nonce this sign-in sent.
 */
export async function verifyIdToken(
  directory: ProviderDirectory,
  endpoints: ProviderEndpoints,
  credentials: Pick<ProviderCredentials, "clientId" | "kind">,
  idToken: string,
  expectedNonce: string,
): Promise<JWTPayload> {
  const { decodeJwt, jwtVerify } = await jose();
  let issuer = endpoints.issuer!;
  if (credentials.kind.isIssuerTemplated && issuer.includes("{tenantid}")) {
    let tenantId: unknown;
    try {
      tenantId = decodeJwt(idToken).tid;
    } catch {
      throw new OauthFailure("id_token_invalid", "The ID token is not a JWT.");
    }
    if (typeof tenantId !== "string" || !/^[0-9a-f-]{36}$/i.test(tenantId)) throw new OauthFailure("id_token_invalid", "The ID token names no tenant (tid).");
    issuer = issuer.replace("{tenantid}", tenantId);
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, await directory.jwksOf(endpoints.jwksUri!), {
      issuer,
      audience: credentials.clientId,
      algorithms: ID_TOKEN_ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["sub", "exp", "iat"],
    }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    // The keys could not be fetched at all: the provider is down, not the token bad.
    if (code === "ERR_JWKS_TIMEOUT" || (error as Error).name === "TypeError" || /ECONNREFUSED|fetch failed/.test(String((error as Error).message))) {
      throw new OauthFailure("provider_unavailable", `The provider's keys could not be fetched: ${(error as Error).message}`);
    }
    throw new OauthFailure("id_token_invalid", `The ID token was refused: ${code ?? (error as Error).message}`);
  }
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== credentials.clientId) {
    throw new OauthFailure("id_token_invalid", "The ID token has several audiences and another authorized party.");
  }
  if (payload.nonce !== expectedNonce) throw new OauthFailure("id_token_invalid", "The ID token's nonce is not the one this sign-in sent.");
  return payload;
}

/**
 * The identity of an OpenID Connect sign-in: the verified ID token's claims, completed from the
 * userinfo endpoint when the token leaves the email or names out (as providers may when the
 * claims were asked for by scope). Userinfo must be about the same `sub`.
 */
export async function readOidcIdentity(
  directory: ProviderDirectory,
  endpoints: ProviderEndpoints,
  credentials: Pick<ProviderCredentials, "clientId" | "kind">,
  tokens: ProviderTokens,
  expectedNonce: string,
): Promise<ProviderIdentity> {
  if (!tokens.idToken) throw new OauthFailure("id_token_invalid", "The token endpoint sent no ID token (is the openid scope granted?).");
  let claims: Record<string, unknown> = await verifyIdToken(directory, endpoints, credentials, tokens.idToken, expectedNonce);
  if ((claims.email === undefined || (claims.given_name === undefined && claims.name === undefined)) && endpoints.userinfoEndpoint) {
    const { status, body } = await callProvider(
      endpoints.userinfoEndpoint,
      { method: "GET", headers: { authorization: `Bearer ${tokens.accessToken}` } },
      { timeoutMs: directory.timeoutMs, allowedOrigins: endpoints.allowedOrigins },
    );
    if (status === 200 && typeof body === "object" && body !== null) {
      const userinfo = body as Record<string, unknown>;
      // OIDC Core §5.3.2: a userinfo answer about anyone else must not be used.
      if (userinfo.sub !== claims.sub) throw new OauthFailure("id_token_invalid", "The userinfo answer is about another subject.");
      claims = {
        ...userinfo,
        ...claims,
        email: claims.email ?? userinfo.email,
        email_verified: claims.email !== undefined ? claims.email_verified : userinfo.email_verified,
      };
    }
  }
  const [givenFromName, ...familyFromName] = (text(claims.name) ?? "").split(" ");
  return {
    subject: String(claims.sub).slice(0, 255),
    email: text(claims.email, 254),
    // Microsoft sends no email_verified; its optional xms_edov claim says the domain owner verified the address.
    isEmailVerified: text(claims.email) !== null && (isTrue(claims.email_verified) || isTrue(claims.xms_edov)),
    firstName: text(claims.given_name, 100) ?? (givenFromName ? givenFromName.slice(0, 100) : null),
    lastName: text(claims.family_name, 100) ?? (familyFromName.length ? familyFromName.join(" ").slice(0, 100) : null),
    pictureUrl: text(claims.picture, 2048),
  };
}

interface GithubEmail {
  email?: unknown;
  verified?: unknown;
  primary?: unknown;
}

/**
 * The identity of a GitHub-style sign-in, from `GET /user` and `GET /user/emails` (which says of
 * each address whether GitHub verified it). The public `email` of /user is never trusted on its
 * own: only an address /user/emails marks verified counts, the primary one first.
 */
export async function readGithubIdentity(directory: ProviderDirectory, endpoints: ProviderEndpoints, tokens: ProviderTokens): Promise<ProviderIdentity> {
  const call = (path: string) =>
    callProvider(
      `${endpoints.apiBaseUrl}${path}`,
      {
        method: "GET",
        headers: {
          authorization: `Bearer ${tokens.accessToken}`,
          accept: "application/vnd.github+json",
          "user-agent": "wacht",
          "x-github-api-version": "2022-11-28",
        },
      },
      { timeoutMs: directory.timeoutMs, allowedOrigins: endpoints.allowedOrigins },
    );
  const user = await call("/user");
  if (user.status !== 200 || typeof user.body !== "object" || user.body === null)
    throw new OauthFailure("provider_error", `GET /user answered ${user.status}.`);
  const profile = user.body as Record<string, unknown>;
  if (typeof profile.id !== "number" && typeof profile.id !== "string") throw new OauthFailure("provider_error", "GET /user sent no id.");
  const emails = await call("/user/emails");
  const list = emails.status === 200 && Array.isArray(emails.body) ? (emails.body as GithubEmail[]) : [];
  const verified = list.filter((entry) => entry.verified === true && typeof entry.email === "string");
  const chosen = verified.find((entry) => entry.primary === true) ?? verified[0];
  const [first, ...rest] = (text(profile.name) ?? "").split(" ");
  return {
    subject: String(profile.id),
    email: chosen ? (chosen.email as string) : text(profile.email, 254),
    isEmailVerified: chosen !== undefined,
    firstName: first ? first.slice(0, 100) : null,
    lastName: rest.length ? rest.join(" ").slice(0, 100) : null,
    pictureUrl: text(profile.avatar_url, 2048),
  };
}
