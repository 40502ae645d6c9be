import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFrontendApiUrlFromPublishableKey, verifyAuthToken } from "wacht-published";
import { readConfig } from "../../src/config.js";
import { startServer as startWachtServer } from "../../src/server.js";
import { apiClient } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser } from "../helpers/fixtures.js";
import { decodeJwt, frontendClient, publishableKeyFor } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { WACHT_BIN } from "../helpers/wacht-bin.js";

/**
 * `wacht signing-keys` and the frontend API columns of `wacht deployments list`, run as the built
 * bin against the database of a running test server. `npm test` builds first; run
 * `npm run build -w @wacht/server` before running this file on its own.
 */
const BIN = WACHT_BIN;

function runCli(databaseUrl: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("WACHT_") || ["PORT", "HOST", "DATABASE_URL"].includes(name)) delete env[name];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, DATABASE_URL: databaseUrl, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe.each(DIALECTS)("wacht signing-keys and deployments list on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run build, or npm test which builds).`);
    server = await startServer(dialect);
  });
  afterAll(async () => server?.close());

  it("rotate makes a new signing key; tokens of the old one keep verifying", async () => {
    const frontend = frontendClient(server.baseUrl);
    const publishableKey = publishableKeyFor(server.baseUrl);
    const user = await createUser(apiClient(server.baseUrl, server.apiKey));
    const credential = (await frontend.signIn(user.primary_email_address, GOOD_PASSWORD)).body.token;
    const before = (await frontend.sessionToken({ cookie: credential })).body.data.token;
    expect(await verifyAuthToken(before, { publishableKey })).toMatchObject({ sub: user.id });

    // The CLI must seal the new key with the key the server opens it with (tests derive it from the URL).
    const encryptionKey = { WACHT_ENCRYPTION_KEY: createHash("sha256").update(server.databaseUrl).digest("hex") };
    const rotated = await runCli(server.databaseUrl, ["signing-keys", "rotate", "--json"], encryptionKey);
    expect(rotated.code, rotated.stderr).toBe(0);
    const result = JSON.parse(rotated.stdout);
    expect(result).toEqual({ deployment_id: server.deploymentId, active_key_id: expect.stringMatching(/^sig_/), retired_key_id: decodeJwt(before).header.kid });

    const after = (await frontend.sessionToken({ cookie: credential })).body.data.token;
    expect(decodeJwt(after).header.kid).toBe(result.active_key_id);
    expect(await verifyAuthToken(before, { publishableKey })).toMatchObject({ sub: user.id });
    expect(await verifyAuthToken(after, { publishableKey })).toMatchObject({ sub: user.id });

    const listed = await runCli(server.databaseUrl, ["signing-keys", "list", "--deployment", server.deploymentId]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${result.active_key_id}\\tES256\\t\\S+\\tactive$`, "m"));
    expect(listed.stdout).toMatch(new RegExp(`^${result.retired_key_id}\\tES256\\t\\S+\\tretired `, "m"));
    expect(listed.stdout).not.toMatch(/"d"|private/);

    const unknown = await runCli(server.databaseUrl, ["signing-keys", "rotate", "--deployment", "dep_nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no deployment 'dep_nope'");
  });

  it("the server prints the default deployment's frontend API URL and publishable key at start", async () => {
    const lines: string[] = [];
    const encryptionKeys = [createHash("sha256").update(server.databaseUrl).digest()];
    const running = await startWachtServer(
      { ...readConfig({}), databaseUrl: server.databaseUrl, port: 0, rateLimitMax: 0, logLevel: "silent", encryptionKeys },
      (line) => lines.push(line),
    );
    try {
      const printed = lines.find((line) => line.includes("publishable key"));
      expect(printed).toBe(`Default deployment: frontend API ${running.url}, publishable key (WACHT_PUBLISHABLE_KEY) ${publishableKeyFor(running.url)}`);
      expect(parseFrontendApiUrlFromPublishableKey(publishableKeyFor(running.url))).toBe(running.url);
      // The CLI, run with another PORT (or none: the server was given port 0), prints the same key.
      for (const env of [{ PORT: "4567" }, {}]) {
        const listed = await runCli(server.databaseUrl, ["deployments", "list", "--json"], env);
        expect(listed.code, listed.stderr).toBe(0);
        const fallback = JSON.parse(listed.stdout).find((deployment: any) => deployment.isDefault);
        expect(fallback).toMatchObject({ frontendApiUrl: running.url, publishableKey: publishableKeyFor(running.url) });
        expect(printed).toContain(fallback.publishableKey);
      }
    } finally {
      await running.close();
    }
  });

  it("deployments list shows each frontend API URL and a publishable key the published client reads", async () => {
    // Before any server announced a URL, HOST and PORT give it.
    await server.db.updateTable("deployments").set({ last_listening_url: null }).execute();
    const listed = await runCli(server.databaseUrl, ["deployments", "list", "--json"], { HOST: "127.0.0.1", PORT: "4567" });
    expect(listed.code, listed.stderr).toBe(0);
    const fallback = JSON.parse(listed.stdout).find((deployment: any) => deployment.isDefault);
    expect(fallback).toMatchObject({ frontendApiUrl: "http://127.0.0.1:4567", publishableKey: "pk_test_aHR0cDovLzEyNy4wLjAuMTo0NTY3" });
    expect(parseFrontendApiUrlFromPublishableKey(fallback.publishableKey)).toBe("http://127.0.0.1:4567");

    const configured = await runCli(server.databaseUrl, ["deployments", "list"], { WACHT_FRONTEND_API_URL: "https://auth.example.com/" });
    expect(configured.code, configured.stderr).toBe(0);
    const line = configured.stdout.split("\n").find((text) => text.startsWith(server.deploymentId))!;
    const [url, key] = line.split("\t").slice(-2);
    expect(url).toBe("https://auth.example.com");
    expect(parseFrontendApiUrlFromPublishableKey(key)).toBe("https://auth.example.com");

    const refused = await runCli(server.databaseUrl, ["deployments", "list"], { WACHT_FRONTEND_API_URL: "https://auth.example.com/some/path" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("WACHT_FRONTEND_API_URL must be an http(s) origin");
  });
});
