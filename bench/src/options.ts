import { parseArgs } from "node:util";
import { TARGET_NAMES, WORKLOAD_NAMES, type TargetName, type WorkloadName } from "./workloads.js";

export interface BenchOptions {
  users: number;
  seconds: number;
  connections: number;
  workloads: WorkloadName[];
  targets: TargetName[];
  /** "sqlite", or a Postgres URL on this machine whose server gets a fresh database for the run. */
  database: string;
  /** Run every server with --cpu-prof; profiles land in bench/results/profiles/. */
  profile: boolean;
  /** Extra node flags for our server only (e.g. --max-semi-space-size=2), to try a setting. */
  serverNodeFlags: string[];
  /** A Postgres URL: Wacht is measured on it too (target wacht-postgres), beside Wacht on SQLite, in the same run. */
  postgres: string | null;
  /** Each workload's seconds are measured in this many slices, the targets taking turns. */
  rounds: number;
  /** A directory that keeps the seeded databases: a later run with the same --users reuses them instead of seeding. */
  keep: string | null;
}

export const HELP = `npm run bench -- [options]

Seeds N users into a fresh database, then measures Wacht (the built server), the floor (bare
node:http + better-sqlite3) and Better Auth (admin plugin, better-sqlite3) under the same load,
and raw argon2id (target argon2) in turn with create-with-password. Prints a markdown table;
writes JSON to bench/results/.

  --users N            users to seed in each target (default 10000)
  --seconds N          measured seconds per workload and target (default 10)
  --connections N      concurrent keep-alive connections (default 32)
  --only a,b           workloads to run (default all): ${WORKLOAD_NAMES.join(", ")}
  --targets a,b        targets to run (default all): ${TARGET_NAMES.join(", ")}
  --database D         sqlite (default) or postgres://user@127.0.0.1:5432/postgres — a fresh
                       database is created for the run and dropped after; the floor and
                       Better Auth stay on SQLite
  --postgres URL       also measure Wacht on Postgres (postgres://postgres@127.0.0.1:5432/postgres),
                       beside Wacht on SQLite in the same run: the table adds Postgres/SQLite
  --rounds N           measure each workload in N slices, the targets taking turns, so the
                       targets compared share the machine's noise (default 3)
  --keep DIR           keep the seeded databases in DIR (and a Postgres database named in
                       DIR/seeds.json); a later run with the same --users reuses them (writes
                       of earlier runs stay in them)
  --server-node-flags=F extra node flags for Wacht only (note the =), e.g.
                       --server-node-flags=--max-semi-space-size=2
  --profile            run each server with node --cpu-prof (bench/results/profiles/);
                       summarize one with: node --import tsx bench/src/tools/summarize-profile.ts <file>
  --help`;

function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'.`);
  return value;
}

function listOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T[] {
  if (raw === undefined) return [...allowed];
  const picked = raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = picked.filter((item) => !allowed.includes(item as T));
  if (unknown.length > 0 || picked.length === 0)
    throw new Error(`--${name} takes a comma-separated list of ${allowed.join(", ")}; unknown: '${unknown.join(",") || raw}'.`);
  // Keep the canonical order (reads before writes), whatever order was typed.
  return allowed.filter((item) => picked.includes(item));
}

/** Returns null when --help was asked for. */
export function readOptions(args: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      users: { type: "string" },
      seconds: { type: "string" },
      connections: { type: "string" },
      only: { type: "string" },
      targets: { type: "string" },
      database: { type: "string" },
      profile: { type: "boolean" },
      "server-node-flags": { type: "string" },
      postgres: { type: "string" },
      keep: { type: "string" },
      rounds: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return null;
  const database = values.database ?? "sqlite";
  if (database !== "sqlite") checkPostgresUrl("database", database);
  if (values.postgres !== undefined) {
    checkPostgresUrl("postgres", values.postgres);
    if (database !== "sqlite") throw new Error("--postgres measures Postgres beside SQLite: leave --database at sqlite.");
  }
  const targets = listOf("targets", values.targets, TARGET_NAMES).filter((target) => target !== "wacht-postgres" || values.postgres !== undefined);
  return {
    users: wholeNumber("users", values.users, 10_000, 100, 10_000_000),
    seconds: wholeNumber("seconds", values.seconds, 10, 1, 600),
    connections: wholeNumber("connections", values.connections, 32, 1, 1000),
    workloads: listOf("only", values.only, WORKLOAD_NAMES),
    targets,
    database,
    profile: values.profile ?? false,
    serverNodeFlags: (values["server-node-flags"] ?? "").split(/\s+/).filter(Boolean),
    postgres: values.postgres ?? null,
    keep: values.keep ?? null,
    rounds: wholeNumber("rounds", values.rounds, 3, 1, 100),
  };
}

function checkPostgresUrl(flag: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--${flag} must be ${flag === "database" ? "'sqlite' or " : ""}a postgres:// URL, got '${value}'.`);
  }
  if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error(`--${flag} must be a postgres:// URL, got '${url.protocol}…'.`);
  // The whole benchmark stays on this machine.
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname))
    throw new Error(`--${flag} must point at a Postgres on this machine (127.0.0.1), got host '${url.hostname}'.`);
}
