import autocannon from "autocannon";
import { machineCpuSeconds, type RunningProcess } from "./processes.js";
import type { PlannedRequest, Workload } from "./workloads.js";

export interface Measurement {
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  /** Latency percentiles as autocannon records them: whole milliseconds. */
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

/** Drives `connections` keep-alive connections for `seconds`, each request drawn fresh from the workload. */
export async function measure(target: LoadTarget, workload: Workload, connections: number, seconds: number): Promise<Measurement> {
  let peakRssBytes: number | null = target.server.rssBytes();
  const cpuBefore = target.server.cpuSeconds();
  const machineBefore = machineCpuSeconds();
  const ownBefore = process.cpuUsage();
  const sampler = setInterval(() => {
    const rss = target.server.rssBytes();
    if (rss !== null) peakRssBytes = Math.max(peakRssBytes ?? 0, rss);
  }, 200);
  try {
    const result = await autocannon({
      url: target.baseUrl,
      connections,
      duration: seconds,
      // Creates with a password queue behind argon2; a slow answer is a figure, not an error.
      timeout: 60,
      headers: target.headers,
      requests: [{ setupRequest: (request) => ({ ...request, ...withBody(workload.next(), request.headers ?? {}) }) }],
    });
    const cpuAfter = target.server.cpuSeconds();
    const machineAfter = machineCpuSeconds();
    const own = process.cpuUsage(ownBefore);
    const ownSeconds = (own.user + own.system) / 1e6;
    const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]));
    return {
      seconds: result.duration,
      requests: result["2xx"],
      requestsPerSecond: result["2xx"] / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      statusCounts,
      peakRssBytes,
      loadGeneratorCpuPercent: (100 * ownSeconds) / result.duration,
      requestsPerCpuSecond: cpuBefore === null || cpuAfter === null || cpuAfter === cpuBefore ? null : result["2xx"] / (cpuAfter - cpuBefore),
      serverCpuPercent: cpuBefore === null || cpuAfter === null ? null : (100 * (cpuAfter - cpuBefore)) / result.duration,
      otherCpuPercent:
        cpuBefore === null || cpuAfter === null || machineBefore === null || machineAfter === null
          ? null
          : Math.max(0, (100 * (machineAfter - machineBefore - (cpuAfter - cpuBefore) - ownSeconds)) / result.duration),
    };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * One measurement from the slices of the same workload and target taken in turn with the other
 * targets: totals over the summed time; p50 weighted by each slice's answers; p99 the worst
 * slice's (a percentile of the union is not recoverable from slices; the worst never flatters).
 */
export function combineSlices(slices: Measurement[]): Measurement {
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
    requests,
    requestsPerSecond: requests / seconds,
    p50Ms: requests === 0 ? 0 : Math.round(slices.reduce((sum, slice) => sum + slice.p50Ms * slice.requests, 0) / requests),
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
