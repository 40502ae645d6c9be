import { createWriteStream, statSync, type WriteStream } from "node:fs";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { cliAuditContext } from "../changes/changes.service.js";
import type { Config } from "../config.js";
import { loadSecretBox } from "../crypto/encryption-key.js";
import { ensureDefaultDeployment, findDeployment } from "../deployments/deployments.service.js";
import { IMPORT_SOURCES, readExport, type ImportSource } from "../import/formats/index.js";
import { toImportResponseJson, type ImportUser, type ImportUsersResponse } from "../import/import.schemas.js";
import { userDocumentAt } from "../http/change-context.js";
import { importUsers, type ImportEnvironment } from "../import/import.service.js";
import { runImport, type ImportSink, type ImportTotals } from "../import/pipeline.js";
import { mergeSearchIndex } from "../storage/search-index-upkeep.js";
import { ImportProgress } from "./import-progress.js";
import { withDatabase } from "./with-database.js";

const help = `wacht import — bring users over from another provider, keeping their passwords

  wacht import --from SOURCE FILE [options]

  SOURCE is one of: ${IMPORT_SOURCES.join(", ")} (see docs/migrating.md for each export)

  --deployment ID          import into this deployment (default: the default deployment)
  --dry-run                check every user and report, writing nothing
  --on-conflict skip|update  a user whose external id (or primary email) exists: skip it (default) or update it
  --rejects FILE           write every rejected record, with its reason, as JSON lines
  --url URL --api-key KEY  send to a running server (POST /users/import) instead of DATABASE_URL
  --batch-size N           users per batch (at most 1000, the default)
  --emit-events            send each imported user's webhook events (user.created, …); off by default

  auth0:       --hashes FILE        the password-hash export (NDJSON) Auth0 support sends
  supabase:    --identities FILE    auth.identities (CSV or JSON), for social connections
  better-auth: --accounts FILE      the account table, when FILE is the user table as JSON/CSV
               (give the SQLite file itself as FILE to read both tables from it)
  firebase:    --hash-key B64 --salt-separator B64 --rounds N --mem-cost N
               the project's password hash parameters (console → Authentication → Users → ⋮)

Re-running the same file is safe: users already imported are skipped.`;

export async function runImportCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: "string" },
      deployment: { type: "string" },
      "dry-run": { type: "boolean" },
      "on-conflict": { type: "string" },
      rejects: { type: "string" },
      url: { type: "string" },
      "api-key": { type: "string" },
      "batch-size": { type: "string" },
      "emit-events": { type: "boolean" },
      hashes: { type: "string" },
      identities: { type: "string" },
      accounts: { type: "string" },
      "hash-key": { type: "string" },
      "salt-separator": { type: "string" },
      rounds: { type: "string" },
      "mem-cost": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const source = values.from as ImportSource | undefined;
  const file = positionals[0];
  if (!source || !(IMPORT_SOURCES as readonly string[]).includes(source) || !file) {
    console.error(`wacht import: give --from (${IMPORT_SOURCES.join("|")}) and the export file.\n\n${help}`);
    return 2;
  }
  const onConflict = values["on-conflict"] ?? "skip";
  if (onConflict !== "skip" && onConflict !== "update") {
    console.error("wacht import: --on-conflict is skip or update.");
    return 2;
  }
  const batchSize = values["batch-size"] === undefined ? 1000 : Number(values["batch-size"]);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
    console.error("wacht import: --batch-size is 1 to 1000.");
    return 2;
  }
  const firebaseHashConfig = firebaseHashConfigOf(values);
  if (typeof firebaseHashConfig === "string") {
    console.error(`wacht import: ${firebaseHashConfig}`);
    return 2;
  }
  let totalBytes: number;
  try {
    totalBytes = statSync(file).size;
  } catch {
    console.error(`wacht import: cannot read '${file}'.`);
    return 1;
  }
  if ((values.url === undefined) !== (values["api-key"] === undefined)) {
    console.error("wacht import: --url and --api-key go together.");
    return 2;
  }

  const progress = new ImportProgress(process.stderr, totalBytes);
  const records = readExport(source, file, {
    passwordHashesPath: values.hashes,
    identitiesPath: values.identities,
    accountsPath: values.accounts,
    firebaseHashConfig,
    onBytesRead: (bytes) => progress.bytesRead(bytes),
  });
  const rejects = values.rejects ? createWriteStream(values.rejects) : null;
  const options = { onConflict, dryRun: values["dry-run"] === true, emitEvents: values["emit-events"] === true } as const;
  const run = (sink: ImportSink) =>
    runImport(records, sink, {
      batchSize,
      onReject: rejects ? (rejection) => writeLine(rejects, JSON.stringify(rejection)) : undefined,
      onBatch: (totals) => {
        progress.update(totals);
        collectGarbageNow(totals);
      },
    });

  let totals: ImportTotals;
  try {
    if (values.url) totals = await run(serverSink(values.url, values["api-key"]!, options));
    else {
      const outcome = await withDatabase(config, async (db) => {
        const deploymentId = values.deployment ?? (await ensureDefaultDeployment(db)).id;
        if (!(await findDeployment(db, deploymentId))) return null;
        const environment = importEnvironmentOf(config);
        const imported = await run({ importBatch: async (items) => toImportResponseJson(await importUsers(db, environment, deploymentId, items, options)) });
        // An import leaves the search index in hundreds of small segments (SQLite) or a long
        // pending list and stale statistics (Postgres); merged here, the first searches after it
        // need not wait for a server's upkeep timer.
        if (imported.created + imported.updated > 0) await mergeSearchIndex(db);
        return imported;
      });
      if (outcome === null) {
        console.error(`wacht import: no deployment '${values.deployment}'.`);
        return 1;
      }
      totals = outcome;
    }
  } finally {
    progress.finish();
    if (rejects) await new Promise((resolve) => rejects.end(resolve));
  }
  printSummary(totals, { dryRun: options.dryRun, rejectsPath: values.rejects });
  return 0;
}

const USERS_PER_COLLECTION = 10_000;
let collect: (() => void) | null = null;
let collectedAt = 0;

/**
 * A full garbage collection every 10,000 users. Each batch's thousand users live long enough to
 * be promoted to V8's old generation, which V8 lets grow to about four times what survives before
 * it collects: peak RSS then grew with the run (216 MB at 100,000 users). Collecting on a fixed
 * count keeps it flat whatever the file's size, for ~0.3 s of CPU per 100,000 users (bench/README.md).
 */
function collectGarbageNow(totals: ImportTotals): void {
  if (totals.read - collectedAt < USERS_PER_COLLECTION) return;
  collectedAt = totals.read;
  if (!collect) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
}

/** Straight to the database: audited as the CLI; webhook payloads link to WACHT_PUBLIC_URL (or the default local server). */
function importEnvironmentOf(config: Config): ImportEnvironment {
  const publicUrl = (config.publicUrl ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, "");
  return { secretBox: loadSecretBox(config).secretBox, context: { ...cliAuditContext("import"), describeUser: userDocumentAt(publicUrl) } };
}

function firebaseHashConfigOf(values: Record<string, unknown>) {
  const given = ["hash-key", "salt-separator", "rounds", "mem-cost"].filter((name) => values[name] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length < 4) return "the Firebase hash parameters are --hash-key, --salt-separator, --rounds and --mem-cost, all four";
  const rounds = Number(values.rounds);
  const memCost = Number(values["mem-cost"]);
  if (!Number.isInteger(rounds) || !Number.isInteger(memCost)) return "--rounds and --mem-cost are whole numbers";
  return { signerKey: String(values["hash-key"]), saltSeparator: String(values["salt-separator"]), rounds, memCost };
}

function writeLine(stream: WriteStream, line: string): Promise<void> | void {
  if (!stream.write(`${line}\n`)) return new Promise((resolve) => stream.once("drain", () => resolve()));
}

/** Batches over HTTP; each carries its own Idempotency-Key, so a retry after a lost answer imports nothing twice. */
function serverSink(url: string, apiKey: string, options: { onConflict: "skip" | "update"; dryRun: boolean; emitEvents: boolean }): ImportSink {
  let batchNumber = 0;
  const runId = `wacht-import-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  return {
    async importBatch(items: ImportUser[]): Promise<ImportUsersResponse> {
      const idempotencyKey = `${runId}-${++batchNumber}`;
      const body = JSON.stringify({ users: items, on_conflict: options.onConflict, dry_run: options.dryRun, emit_events: options.emitEvents });
      for (let attempt = 1; ; attempt++) {
        let response: Response;
        try {
          response = await fetch(new URL("/users/import", url), {
            method: "POST",
            headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", "idempotency-key": idempotencyKey },
            body,
          });
        } catch (error) {
          if (attempt >= 5) throw new Error(`cannot reach ${url}: ${(error as Error).message}`);
          await delay(attempt);
          continue;
        }
        if ((response.status === 429 || response.status >= 500) && attempt < 5) {
          await delay(attempt, Number(response.headers.get("retry-after")) || undefined);
          continue;
        }
        const answer = (await response.json().catch(() => null)) as (ImportUsersResponse & { message?: string }) | null;
        if (!response.ok || !answer) throw new Error(`the server answered ${response.status}: ${answer?.message ?? "no JSON"}`);
        return answer;
      }
    },
  };
}

const delay = (attempt: number, retryAfterSeconds?: number) =>
  new Promise((resolve) => setTimeout(resolve, retryAfterSeconds ? Math.min(retryAfterSeconds, 60) * 1000 : 500 * 2 ** (attempt - 1)));

function printSummary(totals: ImportTotals, options: { dryRun: boolean; rejectsPath?: string }): void {
  const verb = options.dryRun ? "Dry run (nothing written): would have" : "Imported:";
  console.log(`${verb} created ${totals.created}, updated ${totals.updated}, skipped ${totals.skipped}, failed ${totals.failed} of ${totals.read} records.`);
  if (totals.failed > 0)
    console.log(
      options.rejectsPath ? `Rejected records and their reasons: ${options.rejectsPath}` : "Give --rejects FILE to see each rejected record and its reason.",
    );
  if (totals.dropped.size > 0) {
    const dropped = [...totals.dropped].sort(([, a], [, b]) => b - a).map(([field, count]) => `${field} (${count})`);
    console.log(`Not carried over: ${dropped.join(", ")}.`);
  }
}
