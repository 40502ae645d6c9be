import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WACHT_BIN } from "../helpers/wacht-bin.js";

/**
 * The built `wacht` bin, spawned as an operator would run it, against a temporary SQLite file.
 * `npm test` builds first (`npm run build && vitest run`); run `npm run build` before running this
 * file on its own.
 */
const BIN = WACHT_BIN;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
let tempDir: string;
let databaseUrl: string;

/** The environment of a spawned command: ours minus anything that would change its behaviour. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("WACHT_") || ["PORT", "HOST", "DATABASE_URL"].includes(name)) delete env[name];
  return { ...env, DATABASE_URL: databaseUrl, HOST: "127.0.0.1", WACHT_LOG_LEVEL: "warn", ...extra };
}

/** Runs one command to its end. */
function runCli(args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(extraEnv), stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      children.delete(child);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

interface Served {
  url: string;
  output: () => string;
  stop(): Promise<number | null>;
}

/** Starts `wacht serve` on a random port and resolves once it prints the URL it listens on. */
function serve(extraEnv: Record<string, string> = {}): Promise<Served> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, "serve"], { env: cliEnv({ PORT: "0", ...extraEnv }), stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let output = "";
    const exited = new Promise<number | null>((resolveExit) => child.on("close", (code) => resolveExit(code)));
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /Wacht is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        resolvePromise({
          url: match[1]!,
          output: () => output,
          stop: async () => {
            child.kill("SIGTERM");
            const code = await exited;
            children.delete(child);
            return code;
          },
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    exited.then((code) => reject(new Error(`wacht serve exited (${code}) before listening:\n${output}`)));
  });
}

const listUsers = (url: string, key: string) => fetch(`${url}/users?limit=1`, { headers: { authorization: `Bearer ${key}` } });

describe("the wacht CLI", () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run build, or npm test which builds).`);
    tempDir = mkdtempSync(join(tmpdir(), "wacht-cli-"));
    databaseUrl = `sqlite:${join(tempDir, "x.db")}`;
  });

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    children.clear();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it("prints help for itself and each command, and refuses unknown commands", async () => {
    const top = await runCli(["--help"]);
    expect(top.code).toBe(0);
    for (const command of ["serve", "migrate", "deployments", "keys"]) expect(top.stdout).toContain(command);
    const helps: Array<[string[], string]> = [
      [["serve", "--help"], "wacht serve"],
      [["migrate", "--help"], "wacht migrate"],
      [["deployments", "--help"], "wacht deployments"],
      [["deployments", "create", "--help"], "wacht deployments create"],
      [["keys", "--help"], "wacht keys"],
      [["keys", "create", "--help"], "wacht keys create"],
    ];
    const results = await Promise.all(helps.map(([args]) => runCli(args)));
    helps.forEach(([args, expected], i) => {
      expect(results[i]!.code, `${args.join(" ")}: ${results[i]!.stderr}`).toBe(0);
      expect(results[i]!.stdout).toContain(expected);
    });
    // Help must not touch the database.
    expect(existsSync(join(tempDir, "x.db"))).toBe(false);
    const unknown = await runCli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command 'frobnicate'");
  });

  it("migrates, and a second migrate finds nothing to do", async () => {
    const first = await runCli(["migrate"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Applied 0001_initial/);
    const second = await runCli(["migrate"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("is up to date");
  });

  it("creates and lists deployments", async () => {
    const created = await runCli(["deployments", "create", "--name", "staging", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const deployment = JSON.parse(created.stdout);
    expect(deployment).toMatchObject({ id: expect.stringMatching(/^dep_/), name: "staging", isDefault: false });
    const listed = await runCli(["deployments", "list"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${deployment.id}\\tstaging\\t`, "m"));
    expect(listed.stdout).toMatch(/\tdefault\t\(default\)/);
    const missingName = await runCli(["deployments", "create"]);
    expect(missingName.code).toBe(2);
    expect(missingName.stderr).toContain("--name is required");
  });

  describe("against a running server", () => {
    let server: Served;
    let firstStartKey: string;
    let stagingId: string;

    beforeAll(async () => {
      // A fresh database: the first start creates the default deployment's first key and prints it once.
      databaseUrl = `sqlite:${join(tempDir, "served.db")}`;
      server = await serve();
      const match = /WACHT_API_KEY=(sk_\w+)/.exec(server.output());
      if (!match) throw new Error(`no first-start key in:\n${server.output()}`);
      firstStartKey = match[1]!;
      stagingId = JSON.parse((await runCli(["deployments", "create", "--name", "staging", "--json"])).stdout).id;
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("serve answers /health and accepts the first-start key", async () => {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });
      expect((await listUsers(server.url, firstStartKey)).status).toBe(200);
      expect((await listUsers(server.url, "sk_wrong")).status).toBe(401);
    });

    it("writes one log line per request at level info, with its request id and without the key", async () => {
      const logged = await serve({ WACHT_LOG_LEVEL: "info" });
      try {
        const answer = await listUsers(logged.url, firstStartKey);
        expect(answer.status).toBe(200);
        const requestId = answer.headers.get("x-request-id");
        expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
        const refused = await listUsers(logged.url, "sk_wrong_key_in_no_log_line");
        expect(refused.status).toBe(401);
        // The line is written when the answer has been sent: wait for it.
        const lineOf = (id: string | null) =>
          logged
            .output()
            .split("\n")
            .filter((line) => line.startsWith("{"))
            .map((line) => JSON.parse(line) as Record<string, unknown>)
            .find((entry) => entry.msg === "request" && entry.reqId === id);
        for (let tries = 0; tries < 50 && !lineOf(refused.headers.get("x-request-id")); tries++) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(lineOf(requestId)).toMatchObject({ level: 30, method: "GET", path: "/users", status: 200, reqId: requestId });
        expect(lineOf(refused.headers.get("x-request-id"))).toMatchObject({ path: "/users", status: 401 });
        expect(logged.output()).not.toContain(firstStartKey);
        expect(logged.output()).not.toContain("sk_wrong_key_in_no_log_line");
      } finally {
        await logged.stop();
      }
    });

    it("keys create prints a key once, for its deployment, and the key works at once", async () => {
      const created = await runCli(["keys", "create", "--deployment", stagingId, "--name", "ci"]);
      expect(created.code, created.stderr).toBe(0);
      const secret = /\b(sk_\w+)\b/.exec(created.stdout)?.[1];
      expect(secret).toBeDefined();
      const response = await fetch(`${server.url}/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify({ username: "staging_user", skip_password_check: true }),
      });
      expect(response.status).toBe(200);
      // The user lives in staging: the default deployment's key does not see it.
      const inStaging = await (await fetch(`${server.url}/users?username=staging_user`, { headers: { authorization: `Bearer ${secret}` } })).json();
      const inDefault = await (await fetch(`${server.url}/users?username=staging_user`, { headers: { authorization: `Bearer ${firstStartKey}` } })).json();
      expect(inStaging.total).toBe(1);
      expect(inDefault.total).toBe(0);

      const unknownDeployment = await runCli(["keys", "create", "--deployment", "dep_nope"]);
      expect(unknownDeployment.code).toBe(1);
      expect(unknownDeployment.stderr).toContain("no deployment 'dep_nope'");
    });

    it("keys list never shows a secret", async () => {
      const created = await runCli(["keys", "create", "--deployment", stagingId, "--json"]);
      const { id, key } = JSON.parse(created.stdout);
      const listings = await Promise.all(
        [
          ["keys", "list"],
          ["keys", "list", "--json"],
          ["keys", "list", "--deployment", stagingId],
        ].map((args) => runCli(args)),
      );
      for (const listed of listings) {
        expect(listed.code).toBe(0);
        expect(listed.stdout).toContain(id);
        expect(listed.stdout).not.toContain(key);
        expect(listed.stdout).not.toContain(firstStartKey);
        expect(listed.stdout).not.toMatch(/secret_hash|lookup_hash/);
      }
      const json = JSON.parse(listings[1]!.stdout);
      expect(json.find((apiKey: { id: string }) => apiKey.id === id)).toMatchObject({ deploymentId: stagingId, revokedAt: null });
    });

    it("keys revoke makes the key answer 401 at once", async () => {
      const { id, key } = JSON.parse((await runCli(["keys", "create", "--deployment", stagingId, "--json"])).stdout);
      expect((await listUsers(server.url, key)).status).toBe(200);
      const revoked = await runCli(["keys", "revoke", id]);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toContain(`Revoked ${id}`);
      const refused = await listUsers(server.url, key);
      expect(refused.status).toBe(401);
      expect((await refused.json()).code).toBe("invalid_api_key");
      const listed = (await runCli(["keys", "list"])).stdout;
      expect(listed).toMatch(new RegExp(`^${id}\\t.*\\trevoked$`, "m"));

      const again = await runCli(["keys", "revoke", id]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(id);
      const missing = await runCli(["keys", "revoke"]);
      expect(missing.code).toBe(2);
    });

    it("a second serve on the same database prints no new key, and WACHT_API_KEY makes a chosen key work", async () => {
      const chosen = `sk_chosen_${Date.now()}_${"0".repeat(16)}`;
      const second = await serve({ WACHT_API_KEY: chosen });
      try {
        expect(second.output()).not.toContain("WACHT_API_KEY=");
        expect(second.output()).not.toContain(chosen);
        expect(second.url).not.toBe(server.url);
        expect((await listUsers(second.url, chosen)).status).toBe(200);
        // Stored in the shared database: the first instance accepts it too.
        expect((await listUsers(server.url, chosen)).status).toBe(200);
        expect((await listUsers(second.url, firstStartKey)).status).toBe(200);
      } finally {
        expect(await second.stop()).toBe(0);
      }
    });
  });
});
