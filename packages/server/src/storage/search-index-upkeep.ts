import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { sql } from "kysely";
import type { Db } from "./db.js";
import { dialectOf } from "./dialect.js";

/**
 * The search index stays fast as users are written. Every write adds to it in small pieces: on
 * SQLite each transaction adds FTS5 segments (a bulk load or an import leaves hundreds, and a
 * lookup reads every one: 0.8–1.4 ms per search at 1M users against 0.37 ms merged,
 * bench/README.md); on Postgres new rows wait in the GIN index's pending list, which every search
 * scans in full, and a bulk load leaves the planner without statistics. A timer, off the request
 * path, folds them in a bounded step at a time.
 */

// Leaf pages merged per step: a few milliseconds of work, so no request waits long behind one.
const PAGES_PER_STEP = 256;
// At most this many steps per tick; the rest is done at the next tick.
const STEPS_PER_TICK = 40;
const TICK_MS = 10_000;
// While writes keep coming, merging is put off (each transaction adds a segment again, and a full
// merge rewrites the index: a tenth of a create's CPU when it ran every tick, bench/README.md),
// but for at most this long after the first write it has not merged.
const MAX_DEFERRAL_MS = 60_000;

/** What the timer knows between ticks (SQLite): the write marks it saw and when unmerged writes began. */
export interface UpkeepState {
  /** total_changes() when the index was last merged. */
  mergedAt: number | null;
  /** total_changes() at the end of the previous tick. */
  seenAt: number | null;
  /** When a tick first saw writes not yet merged; null when merged. */
  unmergedSince: number | null;
}

/**
 * Whether this tick merges: not when nothing was written since the last merge; not while writes
 * since the previous tick are still coming (a burst of creates or an import; the first tick has
 * no previous one to tell, so it waits a tick), unless they have gone unmerged for
 * MAX_DEFERRAL_MS. Updates `state.seenAt` and `unmergedSince`.
 */
export function mergeIsDue(state: UpkeepState, mark: number, nowMs: number): boolean {
  if (mark === state.mergedAt) return false;
  const stillWriting = mark !== state.seenAt;
  state.seenAt = mark;
  state.unmergedSince ??= nowMs;
  return !stillWriting || nowMs - state.unmergedSince >= MAX_DEFERRAL_MS;
}

/**
 * One bounded step of merging; true when it did work (call again), false once the index is as
 * merged as it gets. SQLite: FTS5 `merge` with a negative page count (every segment may be
 * merged, as `optimize` would, but incrementally); FTS5 did work when total_changes() moved by 2
 * or more. Postgres: the pending list moved into the index, whole (`gin_clean_pending_list`),
 * then fresh statistics for the user tables if many of their rows changed since the last ANALYZE.
 */
export async function mergeSearchIndexStep(db: Db): Promise<boolean> {
  if (dialectOf(db) === "postgres") {
    const { rows } = await sql<{ pages: number }>`SELECT gin_clean_pending_list('users_search_trgm'::regclass) AS pages`.execute(db);
    if (Number(rows[0]?.pages ?? 0) > 0) return true;
    await analyzeStaleTables(db);
    return false;
  }
  const before = await totalChanges(db);
  await sql`INSERT INTO users_search (users_search, rank) VALUES ('merge', ${-PAGES_PER_STEP})`.execute(db);
  return (await totalChanges(db)) - before >= 2;
}

/**
 * Postgres plans from statistics, and a table bulk-loaded since its last ANALYZE has none that
 * fit: at 1M users a details read ANDed a bitmap of the whole deployment into its email lookup
 * (407 ms instead of well under one) and a search did the same (50 ms), bench/README.md.
 * Autovacuum gets there eventually (minutes on a busy server); this runs its own threshold
 * (50 rows + 10% of the table changed since the last analyze) at once.
 */
async function analyzeStaleTables(db: Db): Promise<void> {
  const { rows } = await sql<{ relname: string }>`
    SELECT relname FROM pg_stat_user_tables
    WHERE schemaname = current_schema() AND relname IN ('users', 'user_emails', 'user_phones')
      AND n_mod_since_analyze > 50 + 0.1 * n_live_tup`.execute(db);
  for (const { relname } of rows) await sql`ANALYZE ${sql.table(relname)}`.execute(db);
}

async function totalChanges(db: Db): Promise<number> {
  const { rows } = await sql<{ changes: number }>`SELECT total_changes() AS changes`.execute(db);
  return Number(rows[0]!.changes);
}

/** Merges until the index is merged (bulk loads call it at their end, as the server's timer would). */
export async function mergeSearchIndex(db: Db): Promise<void> {
  while (await mergeSearchIndexStep(db));
}

/** Rows this connection changed so far (SQLite), or null where every tick must look (Postgres: other instances write too). */
async function writeMark(db: Db): Promise<number | null> {
  return dialectOf(db) === "postgres" ? null : totalChanges(db);
}

export const searchIndexUpkeep = fp(
  async (app: FastifyInstance) => {
    let timer: NodeJS.Timeout | null = null;
    const state: UpkeepState = { mergedAt: null, seenAt: null, unmergedSince: null };
    let running = false;
    let failing = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        const mark = await writeMark(app.db);
        if (mark !== null && !mergeIsDue(state, mark, Date.now())) return;
        for (let step = 0; step < STEPS_PER_TICK; step++) {
          if (!(await mergeSearchIndexStep(app.db))) {
            state.mergedAt = state.seenAt = await writeMark(app.db);
            state.unmergedSince = null;
            failing = false;
            return;
          }
          // Requests that arrived meanwhile go first.
          await new Promise((resolve) => setImmediate(resolve));
        }
        // Not merged yet: the merge's own writes are not the requests' (the next tick goes on with it).
        state.seenAt = await writeMark(app.db);
      } catch (error) {
        // Once per run of failures (a database away for a while must not fill the log).
        if (!failing) app.log.warn({ err: error }, "search index: merging failed; retrying every 10 s");
        failing = true;
      } finally {
        running = false;
      }
    };
    app.addHook("onReady", async () => {
      timer = setInterval(() => void tick(), TICK_MS);
      timer.unref();
    });
    app.addHook("onClose", async () => {
      if (timer) clearInterval(timer);
    });
  },
  { name: "search-index-upkeep" },
);
