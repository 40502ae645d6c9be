import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { WACHT_BIN } from "../helpers/wacht-bin.js";

/** `wacht oauth-providers`, run as the built bin (build first: npm run build -w @wacht/server). */
const BIN = WACHT_BIN;

function runCli(server: TestServer, args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("WACHT_") || ["PORT", "HOST", "DATABASE_URL"].includes(name)) delete env[name];
  // The test server's key (start-server.ts derives it from the database URL), as an operator would share it.
  const key = createHash("sha256").update(server.databaseUrl).digest("hex");
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...env, DATABASE_URL: server.databaseUrl, WACHT_ENCRYPTION_KEY: key },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin!.end(stdin ?? "");
  });
}

describe.each(DIALECTS)("wacht oauth-providers on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run build, or npm test which builds).`);
    server = await startServer(dialect);
  });
  afterAll(async () => server?.close());

  it("sets (from stdin), lists and removes a provider; the secret is sealed with the server's key and never printed", async () => {
    const secret = "cli-secret-never-printed";
    const set = await runCli(
      server,
      ["oauth-providers", "set", "oidc_corp", "--client-id", "corp-client", "--issuer", "https://sso.corp.example", "--client-secret-stdin", "--json"],
      `${secret}\n`,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      provider: "oidc_corp",
      client_id: "corp-client",
      issuer: "https://sso.corp.example",
      has_client_secret: true,
    });

    const changed = await runCli(server, ["oauth-providers", "set", "oidc_corp", "--client-id", "corp-client-2", "--client-secret", secret, "--disable"]);
    expect(changed.code, changed.stderr).toBe(0);
    const listed = await runCli(server, ["oauth-providers", "list", "--json"]);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ provider: "oidc_corp", client_id: "corp-client-2", enabled: false })]);
    for (const output of [set, changed, listed]) expect(output.stdout + output.stderr).not.toContain(secret);

    const row = await server.db.selectFrom("oauth_providers").selectAll().where("provider", "=", "oidc_corp").executeTakeFirstOrThrow();
    expect(server.app.secretBox.open(row.client_secret_sealed, `oauth_providers.client_secret:${row.id}`)).toBe(secret);
    const api = await apiClient(server.baseUrl, server.apiKey)("GET", "/oauth-providers/oidc_corp");
    expect(api.body.client_id).toBe("corp-client-2");

    const bad = await runCli(server, ["oauth-providers", "set", "myspace", "--client-id", "x", "--client-secret", "y"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/provider/);
    expect((await runCli(server, ["oauth-providers", "remove", "oidc_corp"])).code).toBe(0);
    expect(JSON.parse((await runCli(server, ["oauth-providers", "list", "--json"])).stdout)).toEqual([]);
    expect((await runCli(server, ["oauth-providers", "remove", "oidc_corp"])).code).toBe(1);
  }, 180_000); // eight processes of the bin, on a loaded machine
});
