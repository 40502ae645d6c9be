import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * Core pinning: the server under test gets one core, the load generator (this process) another,
 * so neither steals cycles from the other. Needs `taskset` (util-linux) and two cores this process
 * may run on; otherwise everything shares the machine and the report says so.
 */
export interface Pinning {
  serverCore: number | null;
  loadCore: number | null;
}

const UNPINNED: Pinning = { serverCore: null, loadCore: null };

/** The cores this process may run on (Linux: /proc/self/status), e.g. "0-1" or "2,5-7" → [2, 5, 6, 7]. */
function allowedCores(): number[] {
  const match = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync("/proc/self/status", "utf8"));
  if (!match) return [];
  return match[1]!.split(",").flatMap((range) => {
    const [first, last = first] = range.split("-").map(Number);
    return Array.from({ length: last! - first! + 1 }, (_, offset) => first! + offset);
  });
}

export function pinLoadGenerator(): Pinning {
  if (!commandExists("taskset")) return UNPINNED;
  try {
    const [serverCore, loadCore] = allowedCores();
    if (serverCore === undefined || loadCore === undefined) return UNPINNED;
    // -a: every thread of this process, including libuv's pool, moves to the load core; children
    // inherit it unless started through pinned() below.
    execFileSync("taskset", ["-a", "-p", "-c", String(loadCore), String(process.pid)], { stdio: "ignore" });
    return { serverCore, loadCore };
  } catch {
    return UNPINNED;
  }
}

function commandExists(command: string): boolean {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The command line that runs `command args` on `core` (unchanged when there is no pinning). */
export function pinned(core: number | null, command: string, args: string[]): [string, string[]] {
  return core === null ? [command, args] : ["taskset", ["-c", String(core), command, ...args]];
}

/** A port that was free a moment ago on 127.0.0.1 (servers need theirs before they start: Better Auth's baseURL holds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface RunningProcess {
  pid: number;
  /** Wall time from spawn to the ready line (for Wacht: listening, so /health answers). */
  startSeconds: number;
  /** CPU time the process used to get there: the start's cost, less disturbed by a busy machine than its wall time. */
  startCpuSeconds: number | null;
  /** Resident set size now, in bytes (Linux /proc), or null where unknown. */
  rssBytes(): number | null;
  /** CPU time (user + system) used so far, in seconds (Linux /proc), or null where unknown. */
  cpuSeconds(): number | null;
  /**
   * Resolves once the process has used (almost) no CPU for a tenth of a second: the requests a
   * finished load left queued (slow password hashes) must not run into the next measurement.
   */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** Starts a server process and resolves once a line of its stdout satisfies `isReady`. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  isReady: (line: string) => boolean,
): Promise<RunningProcess> {
  const spawnedAt = performance.now();
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  child.stderr!.on("data", remember);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}\n--- ${name} output ---\n${output}`));
    };
    let pending = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      remember(chunk);
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop()!;
      if (lines.some(isReady)) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners("data");
        child.stdout!.on("data", remember);
        resolve(runningProcess(child, (performance.now() - spawnedAt) / 1000));
      }
    });
    child.once("exit", (code, signal) => fail(new Error(`${name} exited during start (code ${code}, signal ${signal})`)));
    child.once("error", fail);
  });
}

function runningProcess(child: ChildProcess, startSeconds: number): RunningProcess {
  const pid = child.pid!;
  const startTicks = cpuTicksOf(pid);
  // From here on an exit is expected (stop()), no longer a failure to start.
  child.removeAllListeners("exit");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid,
    startSeconds,
    // USER_HZ (the unit of /proc/<pid>/stat times) is 100.
    startCpuSeconds: startTicks === null ? null : startTicks / 100,
    rssBytes: () => rssOf(pid),
    cpuSeconds: () => {
      const ticks = cpuTicksOf(pid);
      // USER_HZ, the unit of /proc/<pid>/stat times, is 100 on every Linux in use.
      return ticks === null ? null : ticks / 100;
    },
    settle: () => settle(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU time the process has used so far, in clock ticks (Linux /proc), or null where unknown. */
function cpuTicksOf(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

const SETTLE_TIMEOUT_MS = 60_000;

async function settle(pid: number): Promise<void> {
  const giveUpAt = Date.now() + SETTLE_TIMEOUT_MS;
  let before = cpuTicksOf(pid);
  if (before === null) return new Promise((resolve) => setTimeout(resolve, 2000));
  while (Date.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = cpuTicksOf(pid);
    if (now === null || now - before <= 1) return;
    before = now;
  }
}

/** CPU time every process on the machine has used since boot, in seconds (Linux /proc/stat), or null. */
export function machineCpuSeconds(): number | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
  } catch {
    return null;
  }
}

function rssOf(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
