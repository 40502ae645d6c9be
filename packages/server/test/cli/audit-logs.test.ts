import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WACHT_BIN } from "../helpers/wacht-bin.js";

/** Every CLI action that changes data leaves an audit entry with a `cli` actor; `wacht audit-logs` reads them. */
const BIN = WACHT_BIN;

let tempDir: string;
let databaseUrl: string;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("WACHT_") || ["PORT", "HOST", "DATABASE_URL"].includes(name)) delete env[name];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...env, DATABASE_URL: databaseUrl, WACHT_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe("wacht audit-logs", () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run build -w @wacht/server).`);
    tempDir = mkdtempSync(join(tmpdir(), "wacht-audit-cli-"));
    databaseUrl = `sqlite:${join(tempDir, "audit.db")}`;
  });
  afterAll(() => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it("lists the CLI's own changes, newest first, with a cli actor and no secret", async () => {
    const deployment = JSON.parse((await runCli(["deployments", "create", "--name", "audited", "--json"])).stdout);
    const key = JSON.parse((await runCli(["keys", "create", "--deployment", deployment.id, "--json"])).stdout);
    expect((await runCli(["signing-keys", "rotate", "--deployment", deployment.id])).code).toBe(0);
    expect((await runCli(["deployments", "set-frontend-api-url", deployment.id, "https://auth.audited.example"])).code).toBe(0);
    expect((await runCli(["keys", "revoke", key.id])).code).toBe(0);

    const listed = await runCli(["audit-logs", "--deployment", deployment.id, "--json"]);
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout);
    expect(page.has_more).toBe(false);
    expect(page.data.map((entry: any) => [entry.action, entry.target.type])).toEqual([
      ["api_key.revoke", "api_key"],
      ["deployment.update", "deployment"],
      ["signing_key.rotate", "signing_key"],
      ["api_key.create", "api_key"],
      ["deployment.create", "deployment"],
    ]);
    for (const entry of page.data)
      expect(entry).toMatchObject({ deployment_id: deployment.id, actor: { type: "cli", id: "cli" }, request_id: null, ip_address: null });
    expect(page.data[0].actor.name).toBe("wacht keys revoke");
    expect(listed.stdout).not.toContain(key.key);

    const filtered = JSON.parse((await runCli(["audit-logs", "--deployment", deployment.id, "--action", "api_key.create", "--json"])).stdout);
    expect(filtered.data.map((entry: any) => entry.target.id)).toEqual([key.id]);
    const paged = await runCli(["audit-logs", "--deployment", deployment.id, "--limit", "2"]);
    expect(paged.stdout.trim().split("\n")).toHaveLength(3);
    expect(paged.stdout).toContain("api_key.revoke");
    expect(paged.stdout).toContain(`--starting-after ${page.data[1].id}`);
    expect((await runCli(["audit-logs", "--limit", "500"])).code).toBe(2);
    expect((await runCli(["audit-logs", "--since", "soon"])).code).toBe(2);
  });
});
