import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { expect } from "vitest";
import type { ApiCall } from "./api.js";

/** An account of the test identity provider; the claims are what its userinfo and ID token say. */
export interface TestAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
  name?: string;
  picture?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Adds (or replaces) an account; returns it. */
  addAccount(account: TestAccount): TestAccount;
  /** The next interaction signs in as this account and grants what was asked for. */
  signInNextAs(sub: string): void;
  /** The next interaction refuses consent (error=access_denied back to the client). */
  denyNext(): void;
  /** The authorization requests received, by query parameters. */
  authorizationRequests: URLSearchParams[];
  close(): Promise<void>;
}

type Outcome = { sub: string } | { deny: true };

/**
 * A real OpenID Connect provider (`oidc-provider`, certified) on 127.0.0.1: discovery, JWKS,
 * authorization with PKCE required, token, userinfo, refresh tokens. One confidential client
 * whose redirect URIs are the given callbacks. Its login and consent pages are replaced by an
 * interaction handler that completes each interaction as the test scripted (signInNextAs /
 * denyNext), through the provider's own interactionDetails / interactionFinished API.
 */
export async function startOidcProvider(options: {
  redirectUris: string[];
  /** Served at /picture.png, for `picture` claims. */ picturePng?: Buffer;
}): Promise<TestOidcProvider> {
  const accounts = new Map<string, TestAccount>();
  const outcomes: Outcome[] = [];
  const authorizationRequests: URLSearchParams[] = [];
  const clientId = `client-${randomBytes(4).toString("hex")}`;
  const clientSecret = randomBytes(24).toString("base64url");

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test-key-1", use: "sig", alg: "RS256" }] },
    cookies: { keys: [randomBytes(16).toString("hex")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "given_name", "family_name", "picture"] },
    scopes: ["openid", "email", "profile", "offline_access"],
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, RefreshToken: 86_400, Grant: 3600, Session: 3600, Interaction: 600 },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed("refresh_token"),
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ ...account }) };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  } as any);
  // Errors the provider answers (invalid_grant and the like) are expected in these tests.
  provider.on("server_error", (_ctx: unknown, error: Error) => console.error("oidc-provider server_error", error));

  const callback = provider.callback();
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", issuer);
    if (url.pathname === "/auth" && url.searchParams.has("client_id")) authorizationRequests.push(url.searchParams);
    if (url.pathname === "/picture.png" && options.picturePng) {
      response.writeHead(200, { "content-type": "image/png" });
      response.end(options.picturePng);
      return;
    }
    if (url.pathname.startsWith("/interaction/")) {
      completeInteraction(request, response).catch((error) => {
        response.statusCode = 500;
        response.end(String(error));
      });
      return;
    }
    callback(request, response);
  });

  async function completeInteraction(request: IncomingMessage, response: ServerResponse) {
    const details = await provider.interactionDetails(request, response);
    const outcome = outcomes.shift();
    if (!outcome || "deny" in outcome) {
      await provider.interactionFinished(
        request,
        response,
        { error: "access_denied", error_description: "The user refused." },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const grant = new provider.Grant({ accountId: outcome.sub, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(request, response, { login: { accountId: outcome.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  return {
    issuer,
    clientId,
    clientSecret,
    authorizationRequests,
    addAccount(account) {
      accounts.set(account.sub, account);
      return account;
    },
    signInNextAs(sub) {
      outcomes.push({ sub });
    },
    denyNext() {
      outcomes.push({ deny: true });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Makes `idp` the deployment's provider named `provider` and lets sign-ins end on `appUrl`: where each sign-in test starts. */
export async function configureOidcSignIn(call: ApiCall, provider: string, idp: TestOidcProvider, appUrl: string, scopes?: string[]): Promise<void> {
  const configured = await call("POST", "/oauth-providers", {
    provider,
    client_id: idp.clientId,
    client_secret: idp.clientSecret,
    issuer: idp.issuer,
    ...(scopes ? { scopes } : {}),
  });
  expect(configured.status).toBe(200);
  expect((await call("PATCH", "/oauth-settings", { redirect_urls: [appUrl] })).status).toBe(200);
}
