/**
 * Start-up of the built server on an existing database, N times in a row: wall time from spawn to
 * "listening", the CPU time the process used by then, and its RSS once settled (no request).
 *   node --import tsx bench/src/tools/measure-start.ts <sqlite file> [N=5] [server file=packages/server/bundle/main.js]
 * Spawns `node --max-semi-space-size=4 <file> serve` with the bench's environment (a fresh API key
 * each time, so each start revokes the previous one as the bench's starts do). Compare two builds
 * by alternating them: on a shared machine only figures taken minutes apart are comparable.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [database, runs = "5", server = fileURLToPath(new URL("../../../packages/server/bundle/main.js", import.meta.url))] = process.argv.slice(2);
if (!database) {
  console.error("usage: measure-start.ts <sqlite file> [N] [server file]");
  process.exit(2);
}
// USER_HZ, the unit of /proc/<pid>/stat times, is 100.
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const megabytes = (pid: number, field: string): number =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))![1]) / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Row {
  wall: number;
  cpu: number;
  rss: number;
  anonymous: number;
}
const rows: Row[] = [];
for (let run = 1; run <= Number(runs); run++) {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ["--max-semi-space-size=4", server, "serve"], {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite:${database}`,
      HOST: "127.0.0.1",
      PORT: "0",
      WACHT_API_KEY: `sk_bench_${randomBytes(20).toString("hex")}`,
      WACHT_RATE_LIMIT_MAX: "0",
      WACHT_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const wall = await new Promise<number>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (!output.includes("Wacht is listening on")) return;
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      resolve((performance.now() - spawnedAt) / 1000);
    });
    child.once("exit", (code) => reject(new Error(`the server exited (${code}): ${output}`)));
  });
  const pid = child.pid!;
  const cpu = cpuSeconds(pid);
  // Settled: no more than a tick of CPU in 100 ms (as the bench's settle()), then a little longer.
  for (let before = cpuSeconds(pid); ;) {
    await sleep(100);
    const now = cpuSeconds(pid);
    if (now - before <= 0.01) break;
    before = now;
  }
  await sleep(1500);
  const row = { wall, cpu, rss: megabytes(pid, "Rss"), anonymous: megabytes(pid, "Anonymous") };
  rows.push(row);
  console.log(`run ${run}: ${wall.toFixed(3)} s, ${cpu.toFixed(2)} CPU-s, idle RSS ${row.rss.toFixed(1)} MB (anonymous ${row.anonymous.toFixed(1)} MB)`);
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
}
const median = (key: keyof Row) => rows.map((row) => row[key]).sort((a, b) => a - b)[Math.floor(rows.length / 2)]!;
console.log(`median: ${median("wall").toFixed(3)} s, ${median("cpu").toFixed(2)} CPU-s, idle RSS ${median("rss").toFixed(1)} MB`);
