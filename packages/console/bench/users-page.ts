/**
 * How fast the console's users page is on a big deployment: seeds N users with the benchmark's
 * own seeder (bench/src/seed/wacht.ts, rows exactly as createUser writes them) into a SQLite file,
 * starts the BUILT server on it, signs a Chromium in, and times full page loads of the users page
 * (from navigation start, measured in the page) until its first rows are in the DOM, and until
 * every row's status columns are filled. Prints
 * figures; asserts nothing (tests never assert on time).
 *
 *   npm run build && npx tsx packages/console/bench/users-page.ts --users 1000000 [--keep]
 *
 * --keep reuses bench/results/console-<N>.db when it exists (seeding 1M users takes minutes).
 */
import { existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { personAt, searchTermFor } from "../../../bench/src/seed/people.js";
import { seedWacht } from "../../../bench/src/seed/wacht.js";
import { readConfig } from "../../server/dist/config.js";
import { startServer } from "../../server/dist/server.js";
import { CHROMIUM_PATH } from "../test/helpers/browser.js";

const { values } = parseArgs({
  options: { users: { type: "string", default: "1000000" }, runs: { type: "string", default: "7" }, keep: { type: "boolean", default: false } },
});
const userCount = Number(values.users);
const runs = Number(values.runs);
const databasePath = fileURLToPath(new URL(`../../../bench/results/console-${userCount}.db`, import.meta.url));
const apiKey = "sk_console_bench_key_0123456789abcdef";

if (!CHROMIUM_PATH) throw new Error("No Chromium: install Debian's chromium.");
if (!values.keep || !existsSync(databasePath)) {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${databasePath}${suffix}`, { force: true });
  console.error(`Seeding ${userCount.toLocaleString("en-US")} users into ${databasePath}…`);
  const seed = await seedWacht(`sqlite:${databasePath}`, userCount, (line) => console.error(line));
  console.error(`Seeded in ${seed.seconds.toFixed(1)} s.`);
}

const config = {
  ...readConfig({ DATABASE_URL: `sqlite:${databasePath}`, PORT: "0", WACHT_API_KEY: apiKey, WACHT_RATE_LIMIT_MAX: "0", WACHT_LOG_LEVEL: "warn" }),
};
const server = await startServer(config, () => {});
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: server.url });
  const page = await context.newPage();
  // Runs before the console's own script on every load (a DevTools script, outside the page's CSP).
  await page.addInitScript(() => {
    const marks: { rows?: number; complete?: number } = {};
    (window as unknown as { __marks: typeof marks }).__marks = marks;
    new MutationObserver(() => {
      const cells = document.querySelectorAll("table.users-table tbody td");
      if (cells.length === 0) return;
      marks.rows ??= performance.now();
      if (marks.complete === undefined && ![...cells].some((cell) => cell.textContent === "…")) marks.complete = performance.now();
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  await page.goto("/console/");
  await page.getByLabel("API key").fill(apiKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("table.users-table tbody tr").first().waitFor({ timeout: 60_000 });

  const middle = Math.floor(userCount / 2);
  const lastPage = Math.ceil(userCount / 25);
  const cases: Array<[label: string, path: string]> = [
    ["first page (newest first, 25 rows)", "/console/users"],
    [`search for one user (“${searchTermFor(middle)}”)`, `/console/users?q=${encodeURIComponent(searchTermFor(middle))}`],
    [`search for a last name (“${personAt(middle).lastName}”, many matches)`, `/console/users?q=${encodeURIComponent(personAt(middle).lastName)}`],
    ["sorted by email", "/console/users?sort=email&order=asc"],
    [`page ${Math.min(1000, lastPage)}`, `/console/users?page=${Math.min(1000, lastPage)}`],
  ];
  const rows: string[] = [];
  for (const [label, path] of cases) {
    const painted: number[] = [];
    const complete: number[] = [];
    for (let run = 0; run <= runs; run += 1) {
      await page.goto(path);
      // Times taken in the page (from navigation start) by the observer below, so a busy main thread cannot blur them.
      const marks = await page.waitForFunction(() => (window as unknown as { __marks?: { rows?: number; complete?: number } }).__marks?.complete, null, {
        timeout: 60_000,
        polling: 50,
      });
      const { rows: firstRows, complete: allColumns } = await page.evaluate(
        () => (window as unknown as { __marks: { rows: number; complete: number } }).__marks,
      );
      await marks.dispose();
      // The first load warms caches (SQLite pages, the JIT); it is not counted.
      if (run > 0) {
        painted.push(firstRows);
        complete.push(allColumns);
      }
    }
    rows.push(`| ${label} | ${median(painted).toFixed(0)} ms | ${Math.max(...painted).toFixed(0)} ms | ${median(complete).toFixed(0)} ms |`);
  }
  console.log(
    `\nConsole users page, ${userCount.toLocaleString("en-US")} users (SQLite), full page load in headless Chromium at 1280 px, ${runs} runs each:\n`,
  );
  console.log("| page | first rows shown (median) | (max) | status columns filled (median) |\n|---|---|---|---|");
  console.log(rows.join("\n"));
} finally {
  await browser.close();
  await server.close();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
