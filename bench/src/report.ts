import type { Measurement } from "./load.js";
import type { BenchOptions } from "./options.js";
import type { Pinning } from "./processes.js";
import { LATENCY_VARIANTS, READ_WORKLOAD_NAMES, WORKLOAD_NAMES, type TargetName, type WorkloadName } from "./workloads.js";

export interface WorkloadResult {
  workload: WorkloadName;
  target: TargetName;
  measurement?: Measurement;
  /** The --rounds slices the measurement combines, in the order taken (absent in reports of earlier runs). */
  slices?: Measurement[];
  /** Why this pair was not measured (a wrong answer before the load, a crash). */
  problem?: string;
}

/** Raw argon2id as reports before the argon2 target measured it: after the workloads, not in turn with them. */
export interface Argon2Result {
  hashes: number;
  seconds: number;
  hashesPerSecond: number;
  /** Hashes per second of the process's CPU time (absent in reports of earlier runs). */
  hashesPerCpuSecond?: number;
  concurrency: number;
  parameters: Record<string, number>;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  sqlite: string;
  postgres?: string;
}

export interface BenchReport {
  startedAt: string;
  machine: MachineInfo;
  options: BenchOptions;
  pinning: Pinning;
  seeding: {
    /** reused: the set an earlier run kept (--keep); its seconds are that run's. */
    wacht: { database: "sqlite" | "postgres"; seconds: number; usersPerSecond: number; reused?: boolean };
    wachtPostgres?: { seconds: number; usersPerSecond: number; reused?: boolean };
    floor?: { seconds: number };
    betterAuth?: { seconds: number };
  };
  listOffset: number;
  results: WorkloadResult[];
  /** Reports of earlier runs only: raw argon2id is now the `argon2` target's create-with-password result. */
  argon2?: Argon2Result | null;
  /** The server's argon2id parameters, which the `argon2` target hashes with. */
  argon2Parameters?: Record<string, number>;
  peakRssBytes: Partial<Record<TargetName, number | null>>;
  /** Right after the server said it was listening, before any request. */
  startRssBytes: Partial<Record<TargetName, number | null>>;
  /** From spawn to listening, and the resident set once started and settled, before any request. */
  starts?: Partial<Record<TargetName, { seconds: number; cpuSeconds: number | null; idleRssBytes: number | null }>>;
}

// Above this, something else on the machine competed for the cores during a measurement.
const NOISY_CPU_PERCENT = 10;

const integer = (value: number) => Math.round(value).toLocaleString("en-US");
const megabytes = (bytes: number | null | undefined) => (bytes == null ? "–" : `${Math.round(bytes / 1024 / 1024)}`);
const ratio = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value) ? "–" : value >= 10 ? `${value.toFixed(1)}×` : `${value.toFixed(2)}×`;

function find(report: BenchReport, workload: WorkloadName, target: TargetName): WorkloadResult | undefined {
  return report.results.find((result) => result.workload === workload && result.target === target);
}

function rate(result: WorkloadResult | undefined): string {
  if (!result) return "–";
  if (!result.measurement) return "failed";
  const { requestsPerSecond, errors } = result.measurement;
  return errors === 0 ? integer(requestsPerSecond) : `${integer(requestsPerSecond)} (${integer(errors)} errors)`;
}

/** Whole milliseconds as autocannon gives them; a one-client figure (fractional) to 0.01 ms. */
const milliseconds = (value: number) => (Number.isInteger(value) ? `${value}` : value.toFixed(2));
const p99 = (result: WorkloadResult | undefined) => (result?.measurement ? milliseconds(result.measurement.p99Ms) : "–");

/**
 * How a figure of ours compares: "rate" divides requests per second; "cost" divides requests per
 * second of the server's own CPU time, which a busy machine disturbs far less (a server that gets
 * half a core answers half as many requests, but each costs the same) and which does not credit
 * a target whose load generator, not its server, was the limit.
 */
type Basis = "rate" | "cost";

const figureOf = (measurement: Measurement | undefined, basis: Basis) =>
  measurement === undefined ? undefined : basis === "rate" ? measurement.requestsPerSecond : (measurement.requestsPerCpuSecond ?? undefined);

function speedRatio(
  report: BenchReport,
  workload: WorkloadName,
  versus: TargetName,
  basis: Basis = "rate",
  ourTarget: TargetName = "wacht",
): number | undefined {
  const ours = figureOf(find(report, workload, ourTarget)?.measurement, basis);
  const other = figureOf(find(report, workload, versus)?.measurement, basis);
  return ours !== undefined && other !== undefined && other > 0 ? ours / other : undefined;
}

/** Raw argon2id's hashes per second (rate) or per CPU-second of its process (cost). */
function rawArgon2(report: BenchReport, basis: Basis): number | undefined {
  const measured = figureOf(find(report, "create-with-password", "argon2")?.measurement, basis);
  if (measured !== undefined || !report.argon2) return measured;
  return basis === "rate" ? report.argon2.hashesPerSecond : report.argon2.hashesPerCpuSecond;
}

/** create-with-password over raw argon2id: taken in turns within the same run (or, in earlier reports, after the workloads). */
export function argon2Ratio(report: BenchReport, basis: Basis = "rate", target: TargetName = "wacht"): number | undefined {
  const create = figureOf(find(report, "create-with-password", target)?.measurement, basis);
  const raw = rawArgon2(report, basis);
  return create !== undefined && raw !== undefined && raw > 0 ? create / raw : undefined;
}

function describeMachine(report: BenchReport): string {
  const { machine, pinning, options } = report;
  const pinned =
    pinning.serverCore === null
      ? "no core pinning (taskset or a second core missing)"
      : `server on core ${pinning.serverCore}, load generator on core ${pinning.loadCore}`;
  const database =
    options.database === "sqlite" ? `SQLite ${machine.sqlite}` : `Postgres ${machine.postgres ?? "?"} (floor and Better Auth on SQLite ${machine.sqlite})`;
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${database}; ${pinned}`;
}

/** Where issue 14's targets stand, as figures (the benchmark never fails on them). Ratios of speed are judged on cost (see Basis). */
function targetLines(report: BenchReport): string[][] {
  const rows: string[][] = [];
  const verdict = (met: boolean | undefined) => (met === undefined ? "–" : met ? "met" : "**missed**");
  // Three decimals here, so a figure just under a threshold does not print as the threshold.
  const precise = (value: number | undefined) => (value === undefined ? "–" : `${value.toFixed(3)}×`);
  const versus = (workload: WorkloadName, other: TargetName, threshold: number, label: string) => {
    const cost = speedRatio(report, workload, other, "cost");
    const rate = speedRatio(report, workload, other, "rate");
    if (cost !== undefined || rate !== undefined) rows.push([`${workload} ≥ ${label}`, precise(rate), precise(cost), verdict((cost ?? rate)! >= threshold)]);
  };
  for (const workload of ["get-by-id", "get-by-email", "list-first-page"] as const) versus(workload, "floor", 0.4, "0.40× the floor");
  versus("create-without-password", "floor", 0.6, "0.60× the floor");
  const first = find(report, "list-first-page", "wacht")?.measurement;
  const deep = find(report, "list-cursor-deep", "wacht")?.measurement;
  if (first && deep) {
    // How many times a deep page costs the first: first-page throughput over deep-page throughput.
    const rate = first.requestsPerSecond / deep.requestsPerSecond;
    const cost = first.requestsPerCpuSecond && deep.requestsPerCpuSecond ? first.requestsPerCpuSecond / deep.requestsPerCpuSecond : undefined;
    rows.push([
      `page ${integer(Math.floor(report.options.users * 0.9))} deep by cursor within 1.5× the first page's cost`,
      precise(rate),
      precise(cost),
      verdict((cost ?? rate) <= 1.5),
    ]);
  }
  // The target is judged on one client (what a request takes); the 32-connection p99 beside it adds the queue behind 31 others.
  const atUsers = `at 1M users; this run ${integer(report.options.users)}`;
  const searchAlone = find(report, "search-latency", "wacht")?.measurement;
  if (searchAlone)
    rows.push([
      `search p99 ≤ 20 ms, one client (search-latency; ${atUsers})`,
      `${milliseconds(searchAlone.p99Ms)} ms (p50 ${milliseconds(searchAlone.p50Ms)})`,
      "",
      verdict(searchAlone.p99Ms <= 20),
    ]);
  const search = find(report, "search", "wacht")?.measurement;
  if (search)
    rows.push([
      `search p99 ≤ 20 ms at ${search.connections ?? report.options.connections} connections, queueing included (search; ${atUsers})`,
      `${milliseconds(search.p99Ms)} ms (p50 ${milliseconds(search.p50Ms)})`,
      "",
      verdict(search.p99Ms <= 20),
    ]);
  const argon2 = argon2Ratio(report);
  const argon2Cost = argon2Ratio(report, "cost");
  if (argon2 !== undefined)
    rows.push(["create with password ≥ 0.90× raw argon2id", precise(argon2), precise(argon2Cost), verdict((argon2Cost ?? argon2) >= 0.9)]);
  const readPeaks = READ_WORKLOAD_NAMES.map((workload) => find(report, workload, "wacht")?.measurement?.peakRssBytes).filter(
    (bytes): bytes is number => bytes != null,
  );
  if (readPeaks.length > 0) {
    const peak = Math.max(...readPeaks);
    rows.push([
      `RSS under load ≤ 150 MB on reads (at 1M users; this run ${integer(report.options.users)})`,
      `${megabytes(peak)} MB`,
      "",
      verdict(peak <= 150 * 2 ** 20),
    ]);
  }
  const start = report.starts?.wacht;
  if (start) {
    if (start.idleRssBytes !== null)
      rows.push(["RSS of an idle server ≤ 100 MB", `${megabytes(start.idleRssBytes)} MB`, "", verdict(start.idleRssBytes <= 100 * 2 ** 20)]);
    rows.push([
      "start to listening on an existing database ≤ 1 s",
      `${start.seconds.toFixed(2)} s`,
      start.cpuSeconds === null ? "" : `${start.cpuSeconds.toFixed(2)} CPU-s`,
      verdict(start.seconds <= 1),
    ]);
  }
  for (const workload of WORKLOAD_NAMES) {
    if (workload === "create-with-password") continue; // bound by each product's password hash (README)
    if (LATENCY_VARIANTS[workload]) continue; // one client: its req/s is a latency, compared on the 32-connection workload
    versus(workload, "better-auth", 10, "10× Better Auth");
  }
  return rows;
}

const table = (header: string[], rows: string[][]) =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map((cell, index) => (index === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");

/** The workload's name, with its connections when they are not the run's (the latency variants). */
function rowLabel(report: BenchReport, workload: WorkloadName): string {
  if (workload === "list-offset-9000" && report.listOffset !== 9000) return `list-offset-${report.listOffset}`;
  const connections = report.results.find((result) => result.workload === workload && result.measurement)?.measurement?.connections;
  return connections !== undefined && connections !== report.options.connections
    ? `${workload} (${connections} connection${connections === 1 ? "" : "s"})`
    : workload;
}

/** Raw argon2id beside create-with-password on each target measured in the same rounds. */
function argon2Lines(report: BenchReport): string[] {
  const raw = find(report, "create-with-password", "argon2")?.measurement;
  if (raw) {
    const parameters = report.argon2Parameters;
    const beside = (["wacht", "floor", "wacht-postgres"] as const)
      .filter((target) => find(report, "create-with-password", target)?.measurement)
      // Postgres's own CPU is not the Wacht process's: wacht-postgres compares in req/s only.
      .map(
        (target) =>
          `${target} **${ratio(argon2Ratio(report, "rate", target))}**${target === "wacht-postgres" ? "" : ` (${ratio(argon2Ratio(report, "cost", target))} per CPU-s)`}`,
      );
    return [
      `Raw argon2id, taking turns with create-with-password (the server's \`hashPassword\`${parameters ? `, m=${parameters.memoryCost} KiB, t=${parameters.timeCost}, p=${parameters.parallelism}` : ""}, ${raw.connections} in flight, no HTTP): ` +
        `**${raw.requestsPerSecond.toFixed(1)} hashes/s**, ${raw.requestsPerCpuSecond?.toFixed(1) ?? "?"} per CPU-s of its process (${raw.serverCpuPercent === null ? "?" : Math.round(raw.serverCpuPercent)}% of its core); ` +
        `create-with-password over it: ${beside.join(", ") || "–"}.`,
      "",
    ];
  }
  if (!report.argon2) return [];
  const create = find(report, "create-with-password", "wacht")?.measurement;
  return [
    `Raw argon2id on one core, after the workloads (m=${report.argon2.parameters.memoryCost} KiB, t=${report.argon2.parameters.timeCost}, p=${report.argon2.parameters.parallelism}, ${report.argon2.concurrency} in flight): ` +
      `**${report.argon2.hashesPerSecond.toFixed(1)} hashes/s**; create-with-password is ${create ? `${create.requestsPerSecond.toFixed(1)} req/s = ` : ""}**${ratio(argon2Ratio(report))}** of it.`,
    "",
  ];
}

export function renderMarkdown(report: BenchReport): string {
  const { options } = report;
  const workloads = WORKLOAD_NAMES.filter((workload) => report.results.some((result) => result.workload === workload));
  const perCpu = (result: WorkloadResult | undefined) =>
    result?.measurement?.requestsPerCpuSecond == null ? "–" : integer(result.measurement.requestsPerCpuSecond);
  const rows = workloads.map((workload) => {
    const ours = find(report, workload, "wacht");
    return [
      rowLabel(report, workload),
      rate(ours),
      ours?.measurement ? milliseconds(ours.measurement.p50Ms) : "–",
      p99(ours),
      megabytes(ours?.measurement?.peakRssBytes),
      rate(find(report, workload, "floor")),
      p99(find(report, workload, "floor")),
      ratio(speedRatio(report, workload, "floor")),
      rate(find(report, workload, "better-auth")),
      p99(find(report, workload, "better-auth")),
      ratio(speedRatio(report, workload, "better-auth")),
    ];
  });
  // The same work per second of each server's own CPU: what a request costs, whatever the machine did meanwhile.
  const costRows = workloads.map((workload) => [
    workload,
    perCpu(find(report, workload, "wacht")),
    perCpu(find(report, workload, "floor")),
    ratio(speedRatio(report, workload, "floor", "cost")),
    perCpu(find(report, workload, "better-auth")),
    ratio(speedRatio(report, workload, "better-auth", "cost")),
  ]);
  const hasPostgres = report.results.some((result) => result.target === "wacht-postgres");
  const postgresRows = workloads.map((workload) => {
    const sqlite = find(report, workload, "wacht");
    const postgres = find(report, workload, "wacht-postgres");
    return [
      workload,
      rate(sqlite),
      p99(sqlite),
      rate(postgres),
      p99(postgres),
      megabytes(postgres?.measurement?.peakRssBytes),
      ratio(speedRatio(report, workload, "wacht", "rate", "wacht-postgres")),
    ];
  });
  const lines = [
    `### ${integer(options.users)} users, ${options.connections} connections, ${options.seconds} s per workload (${options.database === "sqlite" ? "SQLite" : "Postgres"}` +
      `${options.serverNodeFlags.length > 0 ? `; Wacht run with node ${options.serverNodeFlags.join(" ")}` : ""})`,
    "",
    table(
      ["workload", "Wacht req/s", "p50 ms", "p99 ms", "RSS MB", "floor req/s", "p99 ms", "Wacht/floor", "Better Auth req/s", "p99 ms", "Wacht/Better Auth"],
      rows,
    ),
    "",
    "Requests per second of each server's own CPU time (the cost of a request; the ratios a busy machine disturbs least):",
    "",
    table(["workload", "Wacht req/CPU-s", "floor req/CPU-s", "Wacht/floor", "Better Auth req/CPU-s", "Wacht/Better Auth"], costRows),
    "",
  ];
  if (hasPostgres) {
    lines.push(
      `Wacht on Postgres ${report.machine.postgres ?? ""} beside Wacht on SQLite, same run (the Postgres server's own CPU is not the Wacht process's: compare req/s here):`,
      "",
      table(["workload", "SQLite req/s", "p99 ms", "Postgres req/s", "p99 ms", "RSS MB", "Postgres/SQLite"], postgresRows),
      "",
    );
  }
  lines.push(...argon2Lines(report));
  const seeding = report.seeding;
  lines.push(
    `Seeding: Wacht ${integer(options.users)} users in ${seeding.wacht.seconds.toFixed(1)} s (**${integer(seeding.wacht.usersPerSecond)} users/s**, ${seeding.wacht.database}${seeding.wacht.reused ? ", kept from an earlier run" : ""})` +
      (seeding.wachtPostgres
        ? `; Wacht on Postgres ${seeding.wachtPostgres.seconds.toFixed(1)} s (${integer(seeding.wachtPostgres.usersPerSecond)} users/s${seeding.wachtPostgres.reused ? ", kept" : ""})`
        : "") +
      (seeding.floor ? `; floor ${seeding.floor.seconds.toFixed(1)} s` : "") +
      (seeding.betterAuth ? `; Better Auth ${seeding.betterAuth.seconds.toFixed(1)} s` : "") +
      `. RSS at start → peak: ${Object.entries(report.peakRssBytes)
        .map(([target, bytes]) => `${target} ${megabytes(report.startRssBytes[target as TargetName])} → ${megabytes(bytes)} MB`)
        .join(", ")}.`,
    "",
    `Machine: ${describeMachine(report)}.`,
    "",
  );
  const targets = targetLines(report);
  if (targets.length > 0) lines.push(table(["target (issue 14, SQLite)", "this run (req/s)", "per CPU-s", ""], targets), "");
  const starts = Object.entries(report.starts ?? {});
  if (starts.length > 0)
    lines.push(
      `Start (spawn to listening; CPU used; idle RSS): ${starts
        .map(
          ([target, start]) => `${target} ${start!.seconds.toFixed(2)} s, ${start!.cpuSeconds?.toFixed(2) ?? "?"} CPU-s, ${megabytes(start!.idleRssBytes)} MB`,
        )
        .join("; ")}.`,
      "",
    );
  const notes: string[] = [];
  for (const result of report.results) {
    const { measurement } = result;
    if (result.problem) notes.push(`- **${result.target} ${result.workload} not measured**: ${result.problem}`);
    else if (measurement && measurement.errors > 0)
      notes.push(`- **${result.target} ${result.workload}: ${measurement.errors} errors**, status counts ${JSON.stringify(measurement.statusCounts)}`);
  }
  const noisy = report.results.filter((result) => (result.measurement?.otherCpuPercent ?? 0) > NOISY_CPU_PERCENT);
  if (noisy.length > 0) {
    const worst = Math.max(...noisy.map((result) => result.measurement!.otherCpuPercent!));
    notes.push(
      `- **Noisy machine**: other processes${options.database === "sqlite" ? "" : " (the Postgres server among them)"} used more than ${NOISY_CPU_PERCENT}% of a core (up to ${Math.round(worst)}%) during ${noisy.length} of ` +
        `${report.results.length} measurements (${noisy.map((result) => `${result.target} ${result.workload}`).join(", ")}); those figures are low and the ratios unreliable.`,
    );
  }
  if (notes.length > 0) lines.push(...notes, "");
  return lines.join("\n");
}
