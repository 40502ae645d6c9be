import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from "jose";

/** What the next ID token gets wrong (or "valid": nothing). */
export type IdTokenFlaw = "valid" | "foreign_key" | "wrong_audience" | "wrong_nonce" | "expired" | "wrong_issuer" | "hs256" | "unsigned";

export interface ScriptedOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claims (sub, email…) and the flaw of the ID tokens issued from now on. */
  script(claims: Record<string, unknown>, flaw: IdTokenFlaw): void;
  close(): Promise<void>;
}

/**
 * A minimal OpenID Connect provider on 127.0.0.1 that issues ID tokens with a chosen flaw, so the
 * client's checks (signature by the JWKS, algorithm, iss, aud, nonce, exp) can each be seen to
 * refuse. Authorization is granted at once; the email is in the ID token (no userinfo endpoint).
 */
export async function startScriptedOidcProvider(): Promise<ScriptedOidcProvider> {
  const clientId = `scripted-${randomBytes(4).toString("hex")}`;
  const clientSecret = randomBytes(32).toString("base64url");
  const signing = await generateKeyPair("ES256");
  const foreign = await generateKeyPair("ES256");
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  const nonces = new Map<string, string>();
  let claims: Record<string, unknown> = {};
  let flaw: IdTokenFlaw = "valid";

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", issuer);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        token_endpoint_auth_methods_supported: ["client_secret_post"],
      });
    }
    if (url.pathname === "/jwks") return json(200, { keys: [publicJwk] });
    if (url.pathname === "/authorize") {
      const code = randomBytes(8).toString("hex");
      nonces.set(code, url.searchParams.get("nonce") ?? "");
      const redirectUri = url.searchParams.get("redirect_uri")!;
      const state = url.searchParams.get("state") ?? "";
      if (url.searchParams.get("response_mode") === "form_post") {
        // As Apple does: a page that posts the answer to the client.
        const field = (name: string, value: string) => `<input type="hidden" name="${name}" value="${value.replace(/"/g, "&quot;")}">`;
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return response.end(
          `<form method="post" action="${redirectUri}">${field("code", code)}${field("state", state)}</form><script>document.forms[0].submit()</script>`,
        );
      }
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", state);
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (url.pathname === "/token" && request.method === "POST") {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", async () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        if (form.get("client_secret") !== clientSecret) return json(401, { error: "invalid_client" });
        const nonce = nonces.get(form.get("code") ?? "");
        if (nonce === undefined) return json(400, { error: "invalid_grant" });
        nonces.delete(form.get("code")!);
        json(200, { access_token: randomBytes(16).toString("hex"), token_type: "Bearer", expires_in: 3600, id_token: await idToken(nonce) });
      });
      return;
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function idToken(nonce: string): Promise<string> {
    const nowS = Math.floor(Date.now() / 1000);
    const payload = { ...claims, nonce: flaw === "wrong_nonce" ? "not-the-nonce" : nonce };
    if (flaw === "unsigned") {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
      return `${encode({ alg: "none", typ: "JWT" })}.${encode({ ...payload, iss: issuer, aud: clientId, iat: nowS, exp: nowS + 600 })}.`;
    }
    let key: KeyLike | Uint8Array = signing.privateKey;
    let alg = "ES256";
    if (flaw === "foreign_key") key = foreign.privateKey;
    if (flaw === "hs256") {
      key = new TextEncoder().encode(clientSecret);
      alg = "HS256";
    }
    return new SignJWT(payload)
      .setProtectedHeader({ alg, kid: "k1" })
      .setIssuer(flaw === "wrong_issuer" ? "https://someone-else.example" : issuer)
      .setAudience(flaw === "wrong_audience" ? "another-client" : clientId)
      .setIssuedAt(flaw === "expired" ? nowS - 7200 : nowS)
      .setExpirationTime(flaw === "expired" ? nowS - 3600 : nowS + 600)
      .sign(key);
  }

  return {
    issuer,
    clientId,
    clientSecret,
    script(nextClaims, nextFlaw) {
      claims = nextClaims;
      flaw = nextFlaw;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
