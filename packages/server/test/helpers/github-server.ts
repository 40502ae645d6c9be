import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GithubTestUser {
  id: number;
  login: string;
  name: string | null;
  /** The public profile email of GET /user, which GitHub does not promise is verified. */
  publicEmail?: string | null;
  emails: { email: string; verified: boolean; primary: boolean }[];
}

export interface GithubTestServer {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  addUser(user: GithubTestUser): GithubTestUser;
  signInNextAs(id: number): void;
  denyNext(): void;
  /** Access tokens that expire (GitHub Apps with expiring user tokens): with refresh tokens. */
  issueExpiringTokens(expiresInSeconds: number): void;
  /** How many token-endpoint calls were refresh grants. */
  refreshCount(): number;
  /** Any request answered 503 from now on (the provider is down), until called with false. */
  setDown(isDown: boolean): void;
  close(): Promise<void>;
}

interface PendingCode {
  userId: number;
  redirectUri: string;
  codeChallenge: string | null;
  isUsed: boolean;
}

/**
 * A server that speaks GitHub's documented OAuth app endpoints on 127.0.0.1: GET
 * /login/oauth/authorize (answered at once as scripted), POST /login/oauth/access_token
 * (client secret, single-use code, redirect_uri, PKCE S256; refusals as 200 + `error` the way
 * GitHub does), and the REST API's GET /user and GET /user/emails (with `verified` flags), at
 * the root and under /api/v3 as GitHub Enterprise Server has them.
 */
export async function startGithubServer(): Promise<GithubTestServer> {
  const clientId = `Iv1.${randomBytes(8).toString("hex")}`;
  const clientSecret = randomBytes(20).toString("hex");
  const users = new Map<number, GithubTestUser>();
  const outcomes: ({ id: number } | { deny: true })[] = [];
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, { userId: number; expiresAtMs: number | null }>();
  const refreshTokens = new Map<string, number>();
  let expiringSeconds: number | null = null;
  let refreshes = 0;
  let isDown = false;

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify(body));
  };
  const readBody = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
  const issueTokens = (userId: number) => {
    const accessToken = `gho_${randomBytes(16).toString("hex")}`;
    accessTokens.set(accessToken, { userId, expiresAtMs: expiringSeconds === null ? null : Date.now() + expiringSeconds * 1000 });
    if (expiringSeconds === null) return { access_token: accessToken, token_type: "bearer", scope: "read:user,user:email" };
    const refreshToken = `ghr_${randomBytes(16).toString("hex")}`;
    refreshTokens.set(refreshToken, userId);
    return {
      access_token: accessToken,
      token_type: "bearer",
      scope: "",
      expires_in: expiringSeconds,
      refresh_token: refreshToken,
      refresh_token_expires_in: 15_897_600,
    };
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (isDown) return json(response, 503, { message: "Service unavailable" });
    if (request.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const redirectUri = url.searchParams.get("redirect_uri")!;
      const back = new URL(redirectUri);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      const outcome = outcomes.shift();
      if (url.searchParams.get("client_id") !== clientId || !outcome || "deny" in outcome) {
        back.searchParams.set("error", "access_denied");
        back.searchParams.set("error_description", "The user has denied your application access.");
      } else {
        const code = randomBytes(10).toString("hex");
        codes.set(code, { userId: outcome.id, redirectUri, codeChallenge: url.searchParams.get("code_challenge"), isUsed: false });
        back.searchParams.set("code", code);
      }
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (request.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const form = new URLSearchParams(await readBody(request));
      if (form.get("client_id") !== clientId || form.get("client_secret") !== clientSecret)
        return json(response, 200, { error: "incorrect_client_credentials" });
      if (form.get("grant_type") === "refresh_token") {
        const userId = refreshTokens.get(form.get("refresh_token") ?? "");
        if (userId === undefined) return json(response, 200, { error: "bad_refresh_token" });
        refreshTokens.delete(form.get("refresh_token")!);
        refreshes += 1;
        return json(response, 200, issueTokens(userId));
      }
      const pending = codes.get(form.get("code") ?? "");
      if (!pending || pending.isUsed || pending.redirectUri !== form.get("redirect_uri")) return json(response, 200, { error: "bad_verification_code" });
      pending.isUsed = true;
      const verifier = form.get("code_verifier") ?? "";
      if (pending.codeChallenge !== null && createHash("sha256").update(verifier).digest("base64url") !== pending.codeChallenge) {
        return json(response, 200, { error: "bad_verification_code", error_description: "PKCE verification failed" });
      }
      return json(response, 200, issueTokens(pending.userId));
    }
    const apiPath = url.pathname.replace(/^\/api\/v3/, "");
    if (request.method === "GET" && (apiPath === "/user" || apiPath === "/user/emails")) {
      const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? "")?.[1];
      const grant = token ? accessTokens.get(token) : undefined;
      if (!grant || (grant.expiresAtMs !== null && grant.expiresAtMs <= Date.now())) return json(response, 401, { message: "Bad credentials" });
      const user = users.get(grant.userId)!;
      if (apiPath === "/user")
        return json(response, 200, {
          id: user.id,
          login: user.login,
          name: user.name,
          email: user.publicEmail ?? null,
          avatar_url: `https://avatars.githubusercontent.com/u/${user.id}`,
        });
      return json(
        response,
        200,
        user.emails.map((email) => ({ ...email, visibility: email.primary ? "private" : null })),
      );
    }
    json(response, 404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId,
    clientSecret,
    addUser(user) {
      users.set(user.id, user);
      return user;
    },
    signInNextAs(id) {
      outcomes.push({ id });
    },
    denyNext() {
      outcomes.push({ deny: true });
    },
    issueExpiringTokens(seconds) {
      expiringSeconds = seconds;
    },
    refreshCount: () => refreshes,
    setDown(down) {
      isDown = down;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
