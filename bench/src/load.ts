import autocannon from "autocannon";
import http from "node:http";
import { machineCpuSeconds, type RunningProcess } from "./processes.js";
import type { PlannedRequest, Workload } from "./workloads.js";

export interface Measurement {
  seconds: number;
  /** Concurrent connections the load used (absent in reports of earlier runs). */
  connections?: number;
  requests: number;
  requestsPerSecond: number;
  /** Latency percentiles: whole milliseconds as autocannon records them; one-client measurements (measureOneClient) to the microsecond. */
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers: anything but 0 makes the figures meaningless. */
  errors: number;
  statusCounts: Record<string, number>;
  /** Highest resident set size of the server while the load ran. */
  peakRssBytes: number | null;
  /** Answers per second of server CPU time: how much work one request costs, less disturbed by a noisy machine than req/s. */
  requestsPerCpuSecond: number | null;
  /** Server CPU time over wall time, in % of one core: near 100 means the server, not the load generator, was the limit. */
  serverCpuPercent: number | null;
  /** The load generator's (this process's) CPU use, in % of one core: near 100 means it, not the server, was the limit. */
  loadGeneratorCpuPercent: number;
  /**
   * CPU used meanwhile by everything but the server and the load generator, in % of one core. The
   * figures are only worth comparing when this is near 0: other work on the machine steals cores.
   */
  otherCpuPercent: number | null;
}

export interface LoadTarget {
  baseUrl: string;
  /** Sent with every request: the API key, or Better Auth's admin cookie. */
  headers: Record<string, string>;
  server: RunningProcess;
}

function withBody(plan: PlannedRequest, headers: Record<string, string>) {
  return plan.body === undefined
    ? { method: plan.method, path: plan.path, headers }
    : { method: plan.method, path: plan.path, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(plan.body) };
}

/** One real request, its answer checked: a workload that answers wrongly is not worth timing. */
export async function preflight(target: LoadTarget, workload: Workload): Promise<string | null> {
  const request = withBody(workload.next(), target.headers);
  const response = await fetch(new URL(request.path, target.baseUrl), { method: request.method, headers: request.headers, body: request.body });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `status ${response.status}, not JSON: ${text.slice(0, 200)}`;
  }
  const problem = workload.check(response.status, body);
  return problem === null ? null : `${request.method} ${request.path} → ${problem}`;
}

/** What a target and this process used while `work` ran: the server's CPU and peak RSS, this process's CPU, the machine's. */
async function accounted<T>(target: LoadTarget, work: () => Promise<T>): Promise<{ result: T; usage: Usage }> {
  let peakRssBytes: number | null = target.server.rssBytes();
  const serverBefore = target.server.cpuSeconds();
  const machineBefore = machineCpuSeconds();
  const ownBefore = process.cpuUsage();
  const sampler = setInterval(() => {
    const rss = target.server.rssBytes();
    if (rss !== null) peakRssBytes = Math.max(peakRssBytes ?? 0, rss);
  }, 200);
  try {
    const result = await work();
    const serverAfter = target.server.cpuSeconds();
    const machineAfter = machineCpuSeconds();
    const own = process.cpuUsage(ownBefore);
    return {
      result,
      usage: {
        peakRssBytes,
        serverSeconds: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
        machineSeconds: machineBefore === null || machineAfter === null ? null : machineAfter - machineBefore,
        ownSeconds: (own.user + own.system) / 1e6,
      },
    };
  } finally {
    clearInterval(sampler);
  }
}

interface Usage {
  peakRssBytes: number | null;
  /** The target's whole process (every thread: /proc/<pid>/stat), in CPU-seconds. */
  serverSeconds: number | null;
  machineSeconds: number | null;
  ownSeconds: number;
}

/** The CPU figures of a Measurement, from `answers` given in `seconds` while `usage` was spent. */
function cpuFigures(usage: Usage, answers: number, seconds: number) {
  const { serverSeconds, machineSeconds, ownSeconds } = usage;
  return {
    peakRssBytes: usage.peakRssBytes,
    loadGeneratorCpuPercent: (100 * ownSeconds) / seconds,
    requestsPerCpuSecond: serverSeconds === null || serverSeconds === 0 ? null : answers / serverSeconds,
    serverCpuPercent: serverSeconds === null ? null : (100 * serverSeconds) / seconds,
    otherCpuPercent: serverSeconds === null || machineSeconds === null ? null : Math.max(0, (100 * (machineSeconds - serverSeconds - ownSeconds)) / seconds),
  };
}

/** Drives `connections` keep-alive connections for `seconds`, each request drawn fresh from the workload. */
export async function measure(target: LoadTarget, workload: Workload, connections: number, seconds: number): Promise<Measurement> {
  const { result, usage } = await accounted(target, () =>
    autocannon({
      url: target.baseUrl,
      connections,
      duration: seconds,
      // Creates with a password queue behind argon2; a slow answer is a figure, not an error.
      timeout: 60,
      headers: target.headers,
      requests: [{ setupRequest: (request) => ({ ...request, ...withBody(workload.next(), request.headers ?? {}) }) }],
    }),
  );
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]));
  return {
    seconds: result.duration,
    connections,
    requests: result["2xx"],
    requestsPerSecond: result["2xx"] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    statusCounts,
    ...cpuFigures(usage, result["2xx"], result.duration),
  };
}

/** One request on a keep-alive agent, resolved with its status once the whole answer has arrived. */
function send(agent: http.Agent, base: URL, plan: PlannedRequest, headers: Record<string, string>): Promise<number> {
  const request = withBody(plan, headers);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { agent, host: base.hostname, port: base.port, method: request.method, path: request.path, headers: request.headers },
      (response) => {
        response.on("data", () => {});
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}

const percentile = (sorted: number[], fraction: number) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
const microseconds = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * One client sending one request at a time on one keep-alive connection for `seconds`: each
 * latency is what a request takes, with no queue behind other connections (at 32 connections
 * p50 ≈ connections ÷ req/s). Timed to the microsecond (autocannon keeps whole milliseconds,
 * which at this load are 0 or 1). The time includes this client's own sending and parsing.
 */
export async function measureOneClient(target: LoadTarget, workload: Workload, seconds: number): Promise<Measurement> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(target.baseUrl);
  const latenciesMs: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  try {
    const { result: elapsed, usage } = await accounted(target, async () => {
      const started = process.hrtime.bigint();
      const deadline = started + BigInt(Math.round(seconds * 1e9));
      while (process.hrtime.bigint() < deadline) {
        const sent = process.hrtime.bigint();
        try {
          const status = await send(agent, base, workload.next(), target.headers);
          statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          if (status >= 200 && status < 300) latenciesMs.push(Number(process.hrtime.bigint() - sent) / 1e6);
          else errors++;
        } catch {
          errors++;
        }
      }
      return Number(process.hrtime.bigint() - started) / 1e9;
    });
    const sorted = latenciesMs.sort((a, b) => a - b);
    return {
      seconds: elapsed,
      connections: 1,
      requests: sorted.length,
      requestsPerSecond: sorted.length / elapsed,
      p50Ms: microseconds(percentile(sorted, 0.5)),
      p99Ms: microseconds(percentile(sorted, 0.99)),
      errors,
      statusCounts,
      ...cpuFigures(usage, sorted.length, elapsed),
    };
  } finally {
    agent.destroy();
  }
}

interface HashLoopAnswer {
  hashes: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Raw argon2id for `seconds`: the target hashes in its own loop (`hashLoop.concurrency` in flight)
 * and answers with what it finished; one request starts the slice and carries its answer. Its
 * CPU, pool threads included, is read from /proc like every server's, so its hashes per CPU-second
 * and its "other processes" are figured exactly as a server's requests are.
 */
export async function measureHashLoop(target: LoadTarget, workload: Workload, seconds: number): Promise<Measurement> {
  const { result, usage } = await accounted(target, async () => {
    const response = await fetch(new URL("/loop", target.baseUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ seconds, concurrency: workload.hashLoop!.concurrency }),
    });
    if (response.status !== 200) throw new Error(`the hash loop answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as HashLoopAnswer;
  });
  return {
    seconds: result.seconds,
    connections: workload.hashLoop!.concurrency,
    requests: result.hashes,
    requestsPerSecond: result.hashes / result.seconds,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    errors: 0,
    statusCounts: {},
    ...cpuFigures(usage, result.hashes, result.seconds),
  };
}

/**
 * One measurement from the slices of the same workload and target taken in turn with the other
 * targets: totals over the summed time; p50 weighted by each slice's answers; p99 the worst
 * slice's (a percentile of the union is not recoverable from slices; the worst never flatters).
 */
export function combineSlices(slices: Measurement[]): Measurement {
  // Whole milliseconds stay whole (autocannon's); one-client figures keep their microseconds.
  const roundLike = (all: Measurement[], ms: number) => (all.every((slice) => Number.isInteger(slice.p50Ms)) ? Math.round(ms) : Math.round(ms * 1000) / 1000);
  const seconds = slices.reduce((sum, slice) => sum + slice.seconds, 0);
  const requests = slices.reduce((sum, slice) => sum + slice.requests, 0);
  const known = (pick: (slice: Measurement) => number | null) => (slices.every((slice) => pick(slice) !== null) ? slices.map((slice) => pick(slice)!) : null);
  const cpuSeconds = known((slice) => (slice.serverCpuPercent === null ? null : (slice.serverCpuPercent / 100) * slice.seconds));
  const otherSeconds = known((slice) => (slice.otherCpuPercent === null ? null : (slice.otherCpuPercent / 100) * slice.seconds));
  const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
  const statusCounts: Record<string, number> = {};
  for (const slice of slices) for (const [status, count] of Object.entries(slice.statusCounts)) statusCounts[status] = (statusCounts[status] ?? 0) + count;
  const peaks = slices.map((slice) => slice.peakRssBytes).filter((bytes): bytes is number => bytes !== null);
  return {
    seconds,
    connections: slices[0]?.connections,
    requests,
    requestsPerSecond: requests / seconds,
    p50Ms: requests === 0 ? 0 : roundLike(slices, slices.reduce((sum, slice) => sum + slice.p50Ms * slice.requests, 0) / requests),
    p99Ms: Math.max(...slices.map((slice) => slice.p99Ms)),
    errors: slices.reduce((sum, slice) => sum + slice.errors, 0),
    statusCounts,
    peakRssBytes: peaks.length > 0 ? Math.max(...peaks) : null,
    requestsPerCpuSecond: cpuSeconds && total(cpuSeconds) > 0 ? requests / total(cpuSeconds) : null,
    serverCpuPercent: cpuSeconds ? (100 * total(cpuSeconds)) / seconds : null,
    loadGeneratorCpuPercent: slices.reduce((sum, slice) => sum + slice.loadGeneratorCpuPercent * slice.seconds, 0) / seconds,
    otherCpuPercent: otherSeconds ? (100 * total(otherSeconds)) / seconds : null,
  };
}
