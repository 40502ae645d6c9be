import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { WACHT_BIN } from "../helpers/wacht-bin.js";

/**
 * Every `wacht` command that changes data appends an audit entry with a `cli` actor naming the
 * command, read back over the Backend API (build first: npm run build -w @wacht/server).
 * `wacht import` is the import engine's (audited with it, see import/).
 */
const BIN = WACHT_BIN;

function runCli(server: TestServer, args: string[], stdin = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("WACHT_") || ["PORT", "HOST", "DATABASE_URL"].includes(name)) delete env[name];
  // The test server's encryption key (start-server.ts derives it from the database URL).
  const key = createHash("sha256").update(server.databaseUrl).digest("hex");
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...env, DATABASE_URL: server.databaseUrl, WACHT_ENCRYPTION_KEY: key, WACHT_LOG_LEVEL: "warn" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin!.end(stdin);
  });
}

describe.each(DIALECTS)("audit entries of CLI commands on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run build -w @wacht/server).`);
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  const cliEntries = async () =>
    ((await call("GET", "/audit-logs?limit=100")).body.data as any[])
      .filter((entry) => entry.actor.type === "cli")
      .map((entry) => ({
        action: entry.action,
        target: entry.target,
        actor: entry.actor.name,
        changes: entry.changes,
      }));

  it("console-link and oauth-providers set/remove are audited with a cli actor, and no secret or link token", async () => {
    const link = await runCli(server, ["console-link", "--deployment", server.deploymentId, "--url", "http://127.0.0.1:1", "--json"]);
    expect(link.code, link.stderr).toBe(0);
    const { url, api_key_id: linkKeyId } = JSON.parse(link.stdout);

    const secret = "cli-audited-client-secret";
    const set = await runCli(server, ["oauth-providers", "set", "github_oauth", "--client-id", "gh-client", "--client-secret-stdin"], `${secret}\n`);
    expect(set.code, set.stderr).toBe(0);
    const changed = await runCli(server, ["oauth-providers", "set", "github_oauth", "--client-id", "gh-client-2", "--client-secret", secret, "--disable"]);
    expect(changed.code, changed.stderr).toBe(0);
    const providerId = "github_oauth";
    expect((await runCli(server, ["oauth-providers", "remove", "github_oauth"])).code).toBe(0);
    // A refused command records nothing.
    expect((await runCli(server, ["oauth-providers", "remove", "github_oauth"])).code).toBe(1);

    const entries = await cliEntries();
    expect(entries).toEqual([
      { action: "oauth_provider.delete", target: { type: "oauth_provider", id: providerId }, actor: "wacht oauth-providers remove", changes: [] },
      {
        action: "oauth_provider.update",
        target: { type: "oauth_provider", id: providerId },
        actor: "wacht oauth-providers set",
        changes: ["client_id", "client_secret", "enabled"],
      },
      {
        action: "oauth_provider.create",
        target: { type: "oauth_provider", id: providerId },
        actor: "wacht oauth-providers set",
        changes: ["provider", "client_id", "client_secret", "enabled"],
      },
      { action: "api_key.create", target: { type: "api_key", id: linkKeyId }, actor: "wacht console-link", changes: ["name"] },
    ]);
    const everything = JSON.stringify((await call("GET", "/audit-logs?limit=100")).body);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(new URL(url).searchParams.get("token"));
  }, 120_000); // five processes of the bin, on a loaded machine

  it("keys, deployments and signing-keys commands are audited too", async () => {
    const key = JSON.parse((await runCli(server, ["keys", "create", "--deployment", server.deploymentId, "--name", "ops", "--json"])).stdout);
    expect((await runCli(server, ["keys", "revoke", key.id])).code).toBe(0);
    expect((await runCli(server, ["signing-keys", "rotate", "--deployment", server.deploymentId])).code).toBe(0);
    expect((await runCli(server, ["deployments", "set-frontend-api-url", server.deploymentId, "https://auth.cli-audit.example"])).code).toBe(0);
    const actors = (await cliEntries()).slice(0, 4).map((entry) => [entry.action, entry.actor]);
    expect(actors).toEqual([
      ["deployment.update", "wacht deployments set-frontend-api-url"],
      ["signing_key.rotate", "wacht signing-keys rotate"],
      ["api_key.revoke", "wacht keys revoke"],
      ["api_key.create", "wacht keys create"],
    ]);
  }, 120_000);
});
