/**
 * `npm run bench:import -w @wacht/bench -- [--users N] [--database sqlite|postgres://…]`: N users
 * (default 100,000) with bcrypt digests written as our JSONL, then `wacht import --from jsonl`
 * (the built bin, direct to the database) timed end to end, with its peak RSS read from
 * /proc/<pid>/status (VmHWM). Prints users/s and peak RSS; writes nothing else. Targets:
 * ≥ 10,000 users/s on SQLite and RSS under 200 MB however large the file.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { SERVER_CLI_PATH } from "./start-script.js";

const BIN = SERVER_CLI_PATH;
// A real bcrypt digest (cost 10, Clerk's sample): the import never verifies it, so one is enough.
const DIGEST = "$2b$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2";

const { values } = parseArgs({ options: { users: { type: "string" }, database: { type: "string" } } });
const users = Number((values.users ?? "100000").replaceAll("_", ""));
const database = values.database ?? "sqlite";
const dir = mkdtempSync(join(tmpdir(), "wacht-bench-import-"));

async function writeUsers(path: string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < users; i++) {
    const line = JSON.stringify({
      external_id: `bench_${i}`,
      first_name: "Bench",
      last_name: `User ${i}`,
      email_addresses: [{ email: `bench.${i}@example.com`, verified: true }],
      password_digest: DIGEST,
      password_hasher: "bcrypt",
      created_at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
      public_metadata: { plan: i % 3 === 0 ? "pro" : "free" },
    });
    if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

async function databaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (database === "sqlite") return { url: `sqlite:${join(dir, "wacht.db")}`, drop: async () => {} };
  const name = `wacht_bench_import_${Date.now()}`;
  const admin = new pg.Client({ connectionString: database });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(database);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: database });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

// /proc/<pid>/stat counts CPU time in clock ticks; Linux's USER_HZ is 100 on every platform Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; peakRssBytes: number | null; cpuSeconds: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    let peakKb: number | null = null;
    let cpuTicks: number | null = null;
    child.stdout.on("data", (chunk) => (stdout += chunk));
    // VmHWM is the kernel's own high-water mark, so sampling it late still sees the peak.
    const sample = () => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (match) peakKb = Math.max(peakKb ?? 0, Number(match[1]));
        // utime and stime, fields 14 and 15 (after the parenthesised command name).
        const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
        cpuTicks = Number(fields[11]) + Number(fields[12]);
      } catch {
        // gone, or not Linux
      }
    };
    const timer = setInterval(sample, 50);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(timer);
      resolve({ code, peakRssBytes: peakKb === null ? null : peakKb * 1024, cpuSeconds: cpuTicks === null ? null : cpuTicks / CLOCK_TICKS_PER_SECOND, stdout });
    });
  });
}

const file = join(dir, "users.jsonl");
try {
  await writeUsers(file);
  const target = await databaseUrl();
  const env = { ...process.env, DATABASE_URL: target.url, WACHT_LOG_LEVEL: "warn" };
  try {
    await run(["migrate"], env);
    const started = performance.now();
    const result = await run(["import", "--from", "jsonl", file], env);
    const seconds = (performance.now() - started) / 1000;
    if (result.code !== 0) throw new Error(`wacht import exited ${result.code}`);
    process.stdout.write(result.stdout);
    const rss = result.peakRssBytes === null ? "unknown" : `${(result.peakRssBytes / 1024 / 1024).toFixed(0)} MB`;
    // CPU time too: on a shared machine the wall clock measures the neighbours as much as the importer.
    const cpu = result.cpuSeconds === null ? "unknown" : `${result.cpuSeconds.toFixed(1)} (${Math.round(users / result.cpuSeconds)} users/CPU-s)`;
    console.log(`\n| workload | database | users | file | seconds | users/s | CPU s | peak RSS |\n|---|---|---|---|---|---|---|---|`);
    console.log(
      `| import (jsonl, bcrypt) | ${database === "sqlite" ? "sqlite" : "postgres"} | ${users} | ${(statSync(file).size / 1024 / 1024).toFixed(0)} MB | ${seconds.toFixed(1)} | ${Math.round(users / seconds)} | ${cpu} | ${rss} |`,
    );
  } finally {
    await target.drop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
