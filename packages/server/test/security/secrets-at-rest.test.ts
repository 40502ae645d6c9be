import { exportJWK, generateKeyPair } from "jose";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuthToken } from "wacht-published";
import { readConfig } from "../../src/config.js";
import { createSecretBox, generateEncryptionKey, parseEncryptionKey } from "../../src/crypto/secret-box.js";
import { startServer as startWachtServer } from "../../src/server.js";
import { apiClient } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser } from "../helpers/fixtures.js";
import { decodeJwt, frontendClient, publishableKeyFor } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

async function storedPrivateJwks(server: TestServer): Promise<Array<{ id: string; private_jwk: string }>> {
  return server.db.selectFrom("signing_keys").select(["id", "private_jwk"]).where("deployment_id", "=", server.deploymentId).execute();
}

/** A private key as rows written before sealing held it: plain JSON with its `d`. */
async function plaintextJwk(kid: string): Promise<string> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  return JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" });
}

describe.each(DIALECTS)("signing keys at rest on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(dialect);
  });
  afterAll(async () => server?.close());

  async function signInAndGetToken() {
    const user = await createUser(apiClient(server.baseUrl, server.apiKey));
    const frontend = frontendClient(server.baseUrl);
    const credential = (await frontend.signIn(user.primary_email_address, GOOD_PASSWORD)).body.token;
    return { user, token: (await frontend.sessionToken({ cookie: credential })).body.data.token as string };
  }

  it("stores the private JWK sealed, bound to its row, and signs tokens that verify", async () => {
    const { user, token } = await signInAndGetToken();
    expect(await verifyAuthToken(token, { publishableKey: publishableKeyFor(server.baseUrl) })).toMatchObject({ sub: user.id });
    const [row] = await storedPrivateJwks(server);
    expect(row!.private_jwk).toMatch(/^ws1\./);
    expect(row!.private_jwk).not.toMatch(/"d"|"kty"/);
    // Opens only with the server's key and only for this row: a dump of the table cannot sign.
    expect(JSON.parse(server.app.secretBox.open(row!.private_jwk, `signing_keys.private_jwk:${row!.id}`))).toHaveProperty("d");
    expect(() => server.app.secretBox.open(row!.private_jwk, "signing_keys.private_jwk:sig_other")).toThrow();
    expect(() => createSecretBox([parseEncryptionKey(generateEncryptionKey())!]).open(row!.private_jwk, `signing_keys.private_jwk:${row!.id}`)).toThrow();
  });

  it("seals a key still stored in clear (written before sealing) on its first read", async () => {
    const [row] = await storedPrivateJwks(server);
    // The same key as an older server stored it: in clear.
    const clear = server.app.secretBox.open(row!.private_jwk, `signing_keys.private_jwk:${row!.id}`);
    await server.db.updateTable("signing_keys").set({ private_jwk: clear }).where("id", "=", row!.id).execute();
    const { user, token } = await signInAndGetToken();
    expect(decodeJwt(token).header.kid).toBe(row!.id);
    expect(await verifyAuthToken(token, { publishableKey: publishableKeyFor(server.baseUrl) })).toMatchObject({ sub: user.id });
    const [after] = await storedPrivateJwks(server);
    expect(after!.private_jwk).toMatch(/^ws1\./);
    expect(JSON.parse(server.app.secretBox.open(after!.private_jwk, `signing_keys.private_jwk:${row!.id}`))).toEqual(JSON.parse(clear));
  });

  it("seals keys in clear at start, and reseals under a rotated encryption key, saying so", async () => {
    const oldKey = createHash("sha256").update(server.databaseUrl).digest();
    const [row] = await storedPrivateJwks(server);
    await server.db
      .updateTable("signing_keys")
      .set({ private_jwk: await plaintextJwk(row!.id) })
      .where("id", "=", row!.id)
      .execute();
    const lines: string[] = [];
    const newKey = parseEncryptionKey(generateEncryptionKey())!;
    const config = { ...readConfig({}), databaseUrl: server.databaseUrl, port: 0, logLevel: "silent", encryptionKeys: [oldKey] };
    const first = await startWachtServer(config, (line) => lines.push(line));
    await first.close();
    expect(lines).toContain(`Sealed 1 signing key(s) of deployment ${server.deploymentId} with the current encryption key.`);
    expect((await storedPrivateJwks(server))[0]!.private_jwk).toMatch(/^ws1\./);
    expect(lines.join("\n")).toContain("Secrets at rest are encrypted with WACHT_ENCRYPTION_KEY");

    // Rotation: the new key first, the old one second; a start reseals every row with the new key.
    const rotated = await startWachtServer({ ...config, encryptionKeys: [newKey, oldKey] }, (line) => lines.push(line));
    await rotated.close();
    const resealed = (await storedPrivateJwks(server))[0]!.private_jwk;
    expect(createSecretBox([newKey]).open(resealed, `signing_keys.private_jwk:${row!.id}`)).toContain('"d"');
  });
});

describe("the SQLite file", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "wacht-perms-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is created 0600 in a folder created 0700, beside a key file created 0600 and named at start", async () => {
    const folder = join(dir, "data");
    const lines: string[] = [];
    const running = await startWachtServer({ ...readConfig({}), databaseUrl: `sqlite:${join(folder, "wacht.db")}`, port: 0, logLevel: "silent" }, (line) =>
      lines.push(line),
    );
    await running.close();
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, "wacht.db")).mode & 0o777).toBe(0o600);
    expect(statSync(join(folder, "wacht.key")).mode & 0o777).toBe(0o600);
    expect(lines.join("\n")).toContain(`key file ${join(folder, "wacht.key")}`);
  });
});
