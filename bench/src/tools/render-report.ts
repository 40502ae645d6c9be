/**
 * Prints the markdown table of a saved run again (after the report format changed, or for a README):
 *   node --import tsx bench/src/tools/render-report.ts bench/results/<run>.json
 */
import { readFileSync } from "node:fs";
import { renderMarkdown, type BenchReport } from "../report.js";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: render-report.ts <bench/results/….json>");
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, "utf8")) as BenchReport;
// Runs saved before a field existed render with it empty.
report.startRssBytes ??= {};
report.options.serverNodeFlags ??= [];
console.log(renderMarkdown(report));
