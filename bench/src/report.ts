import type { Measurement } from "./load.js";
import type { BenchOptions } from "./options.js";
import type { Pinning } from "./processes.js";
import { WORKLOAD_NAMES, type TargetName, type WorkloadName } from "./workloads.js";

export interface WorkloadResult {
  workload: WorkloadName;
  target: TargetName;
  measurement?: Measurement;
  /** Why this pair was not measured (a wrong answer before the load, a crash). */
  problem?: string;
}

export interface Argon2Result {
  hashes: number;
  seconds: number;
  hashesPerSecond: number;
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
    wacht: { database: "sqlite" | "postgres"; seconds: number; usersPerSecond: number };
    floor?: { seconds: number };
    betterAuth?: { seconds: number };
  };
  listOffset: number;
  results: WorkloadResult[];
  argon2: Argon2Result | null;
  peakRssBytes: Partial<Record<TargetName, number | null>>;
  /** Right after the server said it was listening, before any request. */
  startRssBytes: Partial<Record<TargetName, number | null>>;
}

const READ_WORKLOADS: readonly WorkloadName[] = ["get-by-id", "get-by-email", "list-first-page", "list-offset-9000", "list-cursor-deep", "search"];

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

const p99 = (result: WorkloadResult | undefined) => (result?.measurement ? `${result.measurement.p99Ms}` : "–");

function speedRatio(report: BenchReport, workload: WorkloadName, versus: TargetName): number | undefined {
  const ours = find(report, workload, "wacht")?.measurement;
  const other = find(report, workload, versus)?.measurement;
  return ours && other && other.requestsPerSecond > 0 ? ours.requestsPerSecond / other.requestsPerSecond : undefined;
}

export function argon2Ratio(report: BenchReport): number | undefined {
  const create = find(report, "create-with-password", "wacht")?.measurement;
  return create && report.argon2 ? create.requestsPerSecond / report.argon2.hashesPerSecond : undefined;
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

/** Where the issue's targets stand, as figures (the benchmark never fails on them). */
function targetLines(report: BenchReport): string[][] {
  const rows: string[][] = [];
  const verdict = (met: boolean | undefined) => (met === undefined ? "–" : met ? "met" : "**missed**");
  // Three decimals here, so a figure just under a threshold does not print as the threshold.
  const precise = (value: number) => `${value.toFixed(3)}×`;
  for (const workload of ["get-by-id", "list-first-page"] as const) {
    const value = speedRatio(report, workload, "floor");
    if (value !== undefined) rows.push([`${workload} ≥ 0.50× the floor`, precise(value), verdict(value >= 0.5)]);
  }
  const search = find(report, "search", "wacht")?.measurement;
  if (search) {
    const limitMs = report.options.users >= 1_000_000 ? 50 : 20;
    rows.push([`search p99 ≤ ${limitMs} ms at ${integer(report.options.users)} users`, `${search.p99Ms} ms`, verdict(search.p99Ms <= limitMs)]);
  }
  const argon2 = argon2Ratio(report);
  if (argon2 !== undefined) rows.push(["create with password ≥ 0.90× raw argon2id", precise(argon2), verdict(argon2 >= 0.9)]);
  // Reads and writes apart: argon2id alone holds 19 MiB per hash in flight while users are created.
  const peakOf = (workloads: readonly WorkloadName[]) => {
    const peaks = workloads.map((workload) => find(report, workload, "wacht")?.measurement?.peakRssBytes).filter((bytes): bytes is number => bytes != null);
    return peaks.length > 0 ? Math.max(...peaks) : null;
  };
  const readPeak = peakOf(READ_WORKLOADS);
  const writePeak = peakOf(WORKLOAD_NAMES.filter((workload) => !READ_WORKLOADS.includes(workload)));
  for (const [label, bytes] of [
    ["reads", readPeak],
    ["writes", writePeak],
  ] as const) {
    if (bytes !== null)
      rows.push([
        `RSS ≤ 150 MB at 1M users (${label}; this run ${integer(report.options.users)} users)`,
        `${megabytes(bytes)} MB`,
        verdict(bytes <= 150 * 1024 * 1024),
      ]);
  }
  for (const workload of WORKLOAD_NAMES) {
    const value = speedRatio(report, workload, "better-auth");
    if (value !== undefined) rows.push([`${workload} ≥ 10× Better Auth`, ratio(value), verdict(value >= 10)]);
  }
  return rows;
}

const table = (header: string[], rows: string[][]) =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map((cell, index) => (index === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");

export function renderMarkdown(report: BenchReport): string {
  const { options } = report;
  const workloads = WORKLOAD_NAMES.filter((workload) => report.results.some((result) => result.workload === workload));
  const rows = workloads.map((workload) => {
    const ours = find(report, workload, "wacht");
    return [
      workload === "list-offset-9000" && report.listOffset !== 9000 ? `list-offset-${report.listOffset}` : workload,
      rate(ours),
      ours?.measurement ? `${ours.measurement.p50Ms}` : "–",
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
  const lines = [
    `### ${integer(options.users)} users, ${options.connections} connections, ${options.seconds} s per workload (${options.database === "sqlite" ? "SQLite" : "Postgres"}` +
      `${options.serverNodeFlags.length > 0 ? `; Wacht run with node ${options.serverNodeFlags.join(" ")}` : ""})`,
    "",
    table(
      ["workload", "Wacht req/s", "p50 ms", "p99 ms", "RSS MB", "floor req/s", "p99 ms", "Wacht/floor", "Better Auth req/s", "p99 ms", "Wacht/Better Auth"],
      rows,
    ),
    "",
  ];
  if (report.argon2) {
    const create = find(report, "create-with-password", "wacht")?.measurement;
    lines.push(
      `Raw argon2id on one core (m=${report.argon2.parameters.memoryCost} KiB, t=${report.argon2.parameters.timeCost}, p=${report.argon2.parameters.parallelism}, ${report.argon2.concurrency} in flight): ` +
        `**${report.argon2.hashesPerSecond.toFixed(1)} hashes/s**; create-with-password is ${create ? `${create.requestsPerSecond.toFixed(1)} req/s = ` : ""}**${ratio(argon2Ratio(report))}** of it.`,
      "",
    );
  }
  const seeding = report.seeding;
  lines.push(
    `Seeding: Wacht ${integer(options.users)} users in ${seeding.wacht.seconds.toFixed(1)} s (**${integer(seeding.wacht.usersPerSecond)} users/s**, ${seeding.wacht.database})` +
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
  if (targets.length > 0) lines.push(table(["target (issue #6)", "this run", ""], targets), "");
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
