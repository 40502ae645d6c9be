import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { combineSlices, measure, measureHashLoop, measureOneClient, preflight, type LoadTarget, type Measurement } from "./load.js";
import type { BenchOptions } from "./options.js";
import { freePort, pinLoadGenerator, pinned, startProcess, type Pinning, type RunningProcess } from "./processes.js";
import { renderMarkdown, type BenchReport, type MachineInfo, type WorkloadResult } from "./report.js";
import { seedBetterAuth, type BetterAuthSeed } from "./seed/better-auth.js";
import { seedFloor } from "./seed/floor.js";
import { seedWacht, type WachtSeed } from "./seed/wacht.js";
import { SeedStore } from "./kept-seeds.js";
import { ARGON2ID_PARAMETERS } from "./server-dist.js";
import { SERVER_CLI_PATH, START_NODE_FLAGS } from "./start-script.js";
import { workloadsFor, type SeededSet, type TargetName, type Workload, type WorkloadName } from "./workloads.js";

const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));
// Plain JavaScript: a measured process runs nothing but its server (no TypeScript loader thread).
const targetScript = (name: string) => fileURLToPath(new URL(`./targets/${name}`, import.meta.url));

const say = (line: string) => console.error(line);

interface PostgresDatabase {
  url: string;
  version: string;
  drop(): Promise<void>;
}

/** A fresh database on the given server, named for this run; drop() removes it. */
async function createPostgresDatabase(serverUrl: string): Promise<PostgresDatabase> {
  const name = `wacht_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const run = <T>(work: (client: pg.Client) => Promise<T>) => withPostgresClient(serverUrl, work);
  const version = await run(async (client) => {
    const { rows } = await client.query<{ server_version: string }>("SHOW server_version");
    await client.query(`CREATE DATABASE ${name}`);
    return rows[0]!.server_version;
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), version, drop: () => run((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}

async function withPostgresClient<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const postgresDatabaseExists = (serverUrl: string, name: string) =>
  withPostgresClient(serverUrl, async (client) => (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1);

const postgresVersion = (serverUrl: string) =>
  withPostgresClient(serverUrl, async (client) => (await client.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version);

function databaseUrlOn(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function describeMachine(postgresVersion: string | undefined): MachineInfo {
  const memory = new Database(":memory:");
  const sqlite = memory.prepare("SELECT sqlite_version()").pluck().get() as string;
  memory.close();
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown CPU",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()}`,
    node: process.versions.node,
    sqlite,
    ...(postgresVersion && { postgres: postgresVersion }),
  };
}

interface StartedTarget extends LoadTarget {
  name: TargetName;
}

/** node's own flags for a server: with --profile, a CPU profile named after the target, written when it stops. */
const profileFlags = (profileDir: string | null, target: TargetName) => (profileDir ? ["--cpu-prof", `--cpu-prof-dir=${join(profileDir, target)}`] : []);

async function startWacht(
  name: "wacht" | "wacht-postgres",
  databaseUrl: string,
  pinning: Pinning,
  profileDir: string | null,
  nodeFlags: string[],
): Promise<StartedTarget> {
  const port = await freePort();
  const apiKey = `sk_bench_${randomBytes(20).toString("hex")}`;
  const nodeArgs = [...START_NODE_FLAGS, ...nodeFlags, ...profileFlags(profileDir, name), SERVER_CLI_PATH, "serve"];
  const { WACHT_REDIS_URL: _sharedLimits, ...env } = process.env;
  const [command, args] = pinned(pinning.serverCore, process.execPath, nodeArgs);
  const server = await startProcess(
    name,
    command,
    args,
    { ...env, DATABASE_URL: databaseUrl, HOST: "127.0.0.1", PORT: String(port), WACHT_API_KEY: apiKey, WACHT_RATE_LIMIT_MAX: "0", WACHT_LOG_LEVEL: "warn" },
    (line) => line.includes("Wacht is listening on"),
  );
  return { name, server, baseUrl: `http://127.0.0.1:${port}`, headers: { authorization: `Bearer ${apiKey}` } };
}

async function startFloor(databasePath: string, pinning: Pinning, profileDir: string | null): Promise<StartedTarget> {
  const port = await freePort();
  const apiKey = `sk_floor_${randomBytes(20).toString("hex")}`;
  const [command, args] = pinned(pinning.serverCore, process.execPath, [
    ...profileFlags(profileDir, "floor"),
    targetScript("floor-server.mjs"),
    "--database",
    databasePath,
    "--port",
    String(port),
    "--api-key",
    apiKey,
  ]);
  const server = await startProcess("floor", command, args, process.env, (line) => line.includes('"ready":true'));
  return { name: "floor", server, baseUrl: `http://127.0.0.1:${port}`, headers: { authorization: `Bearer ${apiKey}` } };
}

async function startBetterAuth(
  databasePath: string,
  port: number,
  secret: string,
  seed: BetterAuthSeed,
  pinning: Pinning,
  profileDir: string | null,
): Promise<StartedTarget> {
  const [command, args] = pinned(pinning.serverCore, process.execPath, [
    ...profileFlags(profileDir, "better-auth"),
    targetScript("better-auth-server.mjs"),
    "--database",
    databasePath,
    "--port",
    String(port),
  ]);
  const server = await startProcess("better-auth", command, args, { ...process.env, BETTER_AUTH_SECRET: secret }, (line) => line.includes('"ready":true'));
  const baseUrl = `http://127.0.0.1:${port}`;
  // A browser-like admin: its session cookie, and the Origin Better Auth checks on state-changing calls.
  return { name: "better-auth", server, baseUrl, headers: { cookie: seed.adminCookie, origin: baseUrl } };
}

/** Raw argon2id (src/targets/argon2-server.mjs) on the servers' core, a target like them. */
async function startArgon2(pinning: Pinning, profileDir: string | null): Promise<StartedTarget> {
  const port = await freePort();
  const [command, args] = pinned(pinning.serverCore, process.execPath, [
    ...profileFlags(profileDir, "argon2"),
    targetScript("argon2-server.mjs"),
    "--port",
    String(port),
  ]);
  const server = await startProcess("argon2", command, args, process.env, (line) => line.includes('"ready":true'));
  return { name: "argon2", server, baseUrl: `http://127.0.0.1:${port}`, headers: {} };
}

/** Wacht seeded on Postgres: in a fresh database dropped after the run, or (--keep) one kept and reused. */
async function postgresSeed(
  serverUrl: string,
  users: number,
  store: SeedStore | null,
): Promise<{ database: PostgresDatabase; seed: WachtSeed; reused: boolean }> {
  const kept = store?.seeds.wachtPostgres;
  if (kept && (await postgresDatabaseExists(serverUrl, kept.database))) {
    say(`Reusing ${users.toLocaleString("en-US")} users seeded into Postgres database ${kept.database} (--keep)…`);
    return {
      database: { url: databaseUrlOn(serverUrl, kept.database), version: await postgresVersion(serverUrl), drop: async () => {} },
      seed: kept.seed,
      reused: true,
    };
  }
  const database = await createPostgresDatabase(serverUrl);
  say(`Seeding ${users.toLocaleString("en-US")} users into Wacht (Postgres)…`);
  try {
    const seed = await seedWacht(database.url, users, say);
    if (!store) return { database, seed, reused: false };
    store.seeds.wachtPostgres = { database: new URL(database.url).pathname.slice(1), seed };
    store.save();
    return { database: { ...database, drop: async () => {} }, seed, reused: false };
  } catch (error) {
    await database.drop().catch(() => undefined);
    throw error;
  }
}

/** Wacht seeded on SQLite in `directory`, or the set kept there by an earlier run. */
async function sqliteSeed(directory: string, users: number, store: SeedStore | null): Promise<{ url: string; seed: WachtSeed; reused: boolean }> {
  const path = join(directory, "wacht.db");
  const url = `sqlite:${path}`;
  if (store?.seeds.wacht && existsSync(path)) {
    say(`Reusing ${users.toLocaleString("en-US")} users seeded into ${path} (--keep)…`);
    return { url, seed: store.seeds.wacht, reused: true };
  }
  removeSqliteFiles(path);
  say(`Seeding ${users.toLocaleString("en-US")} users into Wacht (SQLite)…`);
  const seed = await seedWacht(url, users, say);
  if (store) {
    store.seeds.wacht = seed;
    store.save();
  }
  return { url, seed, reused: false };
}

const removeSqliteFiles = (path: string) => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
};

/** The latency variants (one connection) are timed by one client to the microsecond, raw argon2id by its own loop, the rest by autocannon. */
const measureWorkload = (target: LoadTarget, workload: Workload, connections: number, seconds: number) =>
  workload.hashLoop
    ? measureHashLoop(target, workload, seconds)
    : workload.connections === 1
      ? measureOneClient(target, workload, seconds)
      : measure(target, workload, workload.connections ?? connections, seconds);

export async function runBench(options: BenchOptions): Promise<number> {
  const startedAt = new Date();
  const pinning = pinLoadGenerator();
  const workDir = mkdtempSync(join(os.tmpdir(), "wacht-bench-"));
  const store = options.keep ? new SeedStore(options.keep, options.users) : null;
  const dataDir = store ? store.directory : workDir;
  const running = new Set<RunningProcess>();
  const postgresDatabases: PostgresDatabase[] = [];
  const cleanUp = async () => {
    await Promise.allSettled([...running].map((server) => server.stop()));
    for (const database of postgresDatabases)
      await database.drop().catch((error: unknown) => say(`Could not drop ${database.url}: ${(error as Error).message}`));
    rmSync(workDir, { recursive: true, force: true });
  };
  const stopOnSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  try {
    const wantsTarget = (target: TargetName) => options.targets.includes(target);
    let postgres: PostgresDatabase | null = null;
    let wachtUrl: string;
    let wacht: WachtSeed;
    let wachtReused: boolean;
    if (options.database !== "sqlite") {
      const seeded = await postgresSeed(options.database, options.users, store);
      postgres = seeded.database;
      postgresDatabases.push(seeded.database);
      ({ seed: wacht, reused: wachtReused } = seeded);
      wachtUrl = postgres.url;
    } else {
      ({ url: wachtUrl, seed: wacht, reused: wachtReused } = await sqliteSeed(dataDir, options.users, store));
    }
    if (!wachtReused) say(`  ${wacht.seconds.toFixed(1)} s, ${Math.round(wacht.usersPerSecond).toLocaleString("en-US")} users/s`);
    let wachtPostgres: { url: string; seed: WachtSeed; reused: boolean } | null = null;
    if (options.postgres && wantsTarget("wacht-postgres")) {
      const seeded = await postgresSeed(options.postgres, options.users, store);
      postgres = seeded.database;
      postgresDatabases.push(seeded.database);
      wachtPostgres = { url: seeded.database.url, seed: seeded.seed, reused: seeded.reused };
      if (!seeded.reused) say(`  ${seeded.seed.seconds.toFixed(1)} s, ${Math.round(seeded.seed.usersPerSecond).toLocaleString("en-US")} users/s`);
    }

    const floorPath = join(dataDir, "floor.db");
    let floorSeconds: number | undefined;
    if (wantsTarget("floor")) {
      if (store?.seeds.floor && existsSync(floorPath)) {
        floorSeconds = store.seeds.floor.seconds;
      } else {
        say("Seeding the floor…");
        removeSqliteFiles(floorPath);
        floorSeconds = (await seedFloor(floorPath, wachtUrl, wacht)).seconds;
        if (store) {
          store.seeds.floor = { seconds: floorSeconds };
          store.save();
        }
      }
    }
    const betterAuthPath = join(dataDir, "better-auth.db");
    const keptBetterAuth = store?.seeds.betterAuth && existsSync(betterAuthPath) ? store.seeds.betterAuth : undefined;
    const betterAuthPort = keptBetterAuth?.port ?? (await freePort());
    const betterAuthSecret = keptBetterAuth?.secret ?? randomBytes(32).toString("hex");
    let betterAuth: BetterAuthSeed | undefined;
    if (wantsTarget("better-auth")) {
      if (keptBetterAuth) {
        betterAuth = keptBetterAuth.seed;
      } else {
        say("Seeding Better Auth…");
        removeSqliteFiles(betterAuthPath);
        betterAuth = await seedBetterAuth(betterAuthPath, options.users, wacht.endMs, `http://127.0.0.1:${betterAuthPort}`, betterAuthSecret);
        if (store) {
          store.seeds.betterAuth = { seed: betterAuth, port: betterAuthPort, secret: betterAuthSecret };
          store.save();
        }
      }
    }

    const listOffset = Math.min(9000, Math.max(0, options.users - 20));
    const profileDir = options.profile ? join(resultsDir, "profiles") : null;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const warmUpSeconds = Math.min(3, Math.max(1, Math.round(options.seconds / 5)));
    const results: WorkloadResult[] = [];
    const peakRssBytes: BenchReport["peakRssBytes"] = {};
    const startRssBytes: BenchReport["startRssBytes"] = {};
    const starts: BenchReport["starts"] = {};

    // Every server is started first and stays up (idle ones use no CPU), then each workload is
    // measured on every target in turn, in `rounds` short slices each: the targets compared in a
    // row share the same window of whatever else the machine is doing.
    const started: Array<{ target: StartedTarget; workloads: Partial<Record<WorkloadName, Workload>> }> = [];
    for (const targetName of options.targets) {
      const userIds = targetName === "better-auth" ? betterAuth!.userIds : targetName === "wacht-postgres" ? wachtPostgres!.seed.userIds : wacht.userIds;
      const set: SeededSet = { userCount: options.users, userIds, listOffset };
      const workloads = workloadsFor(targetName, set);
      if (!options.workloads.some((name) => workloads[name])) continue;
      say(`Starting ${targetName}…`);
      const target =
        targetName === "wacht" || targetName === "wacht-postgres"
          ? await startWacht(targetName, targetName === "wacht" ? wachtUrl : wachtPostgres!.url, pinning, profileDir, options.serverNodeFlags)
          : targetName === "floor"
            ? await startFloor(floorPath, pinning, profileDir)
            : targetName === "argon2"
              ? await startArgon2(pinning, profileDir)
              : await startBetterAuth(betterAuthPath, betterAuthPort, betterAuthSecret, betterAuth!, pinning, profileDir);
      running.add(target.server);
      startRssBytes[targetName] = target.server.rssBytes();
      peakRssBytes[targetName] = startRssBytes[targetName];
      // Idle: started, settled, no request yet (the figure an operator sees after `npm start`).
      await target.server.settle();
      starts[targetName] = { seconds: target.server.startSeconds, cpuSeconds: target.server.startCpuSeconds, idleRssBytes: target.server.rssBytes() };
      started.push({ target, workloads });
    }
    const roundSeconds = Math.max(1, Math.round(options.seconds / options.rounds));
    // Every target, not only the next: when a load stops, the target just measured still works
    // through what it had queued (32 creates with a password: 0.5–0.8 CPU-s of argon2id for us and
    // the floor, 3–4 CPU-s of scrypt for Better Auth), which would run on the next target's core,
    // slow it down and count as its "other processes".
    const settleAll = () => Promise.all(started.map(({ target }) => target.server.settle()));
    for (const workloadName of options.workloads) {
      const measuring = started.filter(({ workloads }) => workloads[workloadName]);
      const slices = new Map<TargetName, Measurement[]>();
      for (const { target, workloads } of measuring) {
        const workload = workloads[workloadName]!;
        await settleAll();
        const problem = await preflight(target, workload).catch((error: unknown) => `request failed: ${(error as Error).message}`);
        if (problem !== null) {
          say(`  ${target.name} ${workloadName}: NOT MEASURED, ${problem}`);
          results.push({ workload: workloadName, target: target.name, problem });
          continue;
        }
        await measureWorkload(target, workload, options.connections, warmUpSeconds);
        slices.set(target.name, []);
      }
      for (let round = 0; round < options.rounds; round++) {
        for (const { target, workloads } of measuring) {
          const taken = slices.get(target.name);
          if (!taken) continue;
          await settleAll();
          const workload = workloads[workloadName]!;
          taken.push(await measureWorkload(target, workload, options.connections, roundSeconds));
        }
      }
      for (const [targetName, taken] of slices) {
        const measurement = combineSlices(taken);
        results.push({ workload: workloadName, target: targetName, measurement, slices: taken });
        peakRssBytes[targetName] = Math.max(peakRssBytes[targetName] ?? 0, measurement.peakRssBytes ?? 0) || peakRssBytes[targetName];
        say(
          `  ${targetName} ${workloadName}: ${Math.round(measurement.requestsPerSecond).toLocaleString("en-US")} req/s, ` +
            `${measurement.requestsPerCpuSecond === null ? "?" : Math.round(measurement.requestsPerCpuSecond).toLocaleString("en-US")} req/CPU-s, p50 ${measurement.p50Ms} ms, p99 ${measurement.p99Ms} ms, ` +
            `${measurement.errors} errors, RSS ${measurement.peakRssBytes === null ? "?" : Math.round(measurement.peakRssBytes / 2 ** 20)} MB, ` +
            `CPU: server ${measurement.serverCpuPercent === null ? "?" : Math.round(measurement.serverCpuPercent)}%, load generator ${Math.round(measurement.loadGeneratorCpuPercent)}%` +
            (measurement.otherCpuPercent !== null && measurement.otherCpuPercent > 10
              ? ` (other processes used ${Math.round(measurement.otherCpuPercent)}% of a core)`
              : ""),
        );
      }
    }
    for (const { target } of started) {
      await target.server.stop();
      running.delete(target.server);
    }

    const report: BenchReport = {
      startedAt: startedAt.toISOString(),
      machine: describeMachine(postgres?.version),
      options,
      pinning,
      seeding: {
        wacht: {
          database: options.database === "sqlite" ? "sqlite" : "postgres",
          seconds: wacht.seconds,
          usersPerSecond: wacht.usersPerSecond,
          reused: wachtReused,
        },
        ...(wachtPostgres && {
          wachtPostgres: { seconds: wachtPostgres.seed.seconds, usersPerSecond: wachtPostgres.seed.usersPerSecond, reused: wachtPostgres.reused },
        }),
        ...(floorSeconds !== undefined && { floor: { seconds: floorSeconds } }),
        ...(betterAuth && { betterAuth: { seconds: betterAuth.seconds } }),
      },
      listOffset,
      results,
      ...(results.some((result) => result.target === "argon2") && { argon2Parameters: { ...ARGON2ID_PARAMETERS } }),
      peakRssBytes,
      startRssBytes,
      starts,
    };
    console.log(renderMarkdown(report));
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, "-")}-${report.seeding.wacht.database}-${options.users}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    say(`\nWrote ${file}`);
    // Figures are never judged here; a workload that could not be measured, or saw errors, is a broken run.
    return results.some((result) => result.problem || (result.measurement?.errors ?? 0) > 0) ? 1 : 0;
  } finally {
    await cleanUp();
    process.off("SIGINT", stopOnSignal);
    process.off("SIGTERM", stopOnSignal);
  }
}
