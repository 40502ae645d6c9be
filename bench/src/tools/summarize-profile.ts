/**
 * Reads a .cpuprofile (node --cpu-prof, as `npm run bench -- --profile` writes them) and prints
 * where the time went: the functions with the most self time, and self time per package or file.
 *   node --import tsx bench/src/tools/summarize-profile.ts <file.cpuprofile> [rows]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: summarize-profile.ts <file.cpuprofile> [rows]");
  process.exit(2);
}
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const totalMicros = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);

/** "fastify", "kysely", "server:users/users.storage.js", "node:internal/…", or "(native)". */
function placeOf(url: string): string {
  if (!url) return "(native / V8)";
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1]!;
  const serverMatch = /packages\/server\/dist\/(.+)$/.exec(url);
  if (serverMatch) return `server:${serverMatch[1]}`;
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  return url.replace(/^file:\/\//, "");
}

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const place = placeOf(url);
  const name = `${functionName || "(anonymous)"}  ${place}${url ? `:${lineNumber + 1}` : ""}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
}

// Inclusive time: a sample counts once for every package or file on its stack (parents are found
// by walking the call tree from the root).
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const inclusiveByPlace = new Map<string, number>();
const stackPlacesCache = new Map<number, Set<string>>();
function placesOnStack(id: number): Set<string> {
  let places = stackPlacesCache.get(id);
  if (!places) {
    const parent = parentOf.get(id);
    places = new Set(parent === undefined ? [] : placesOnStack(parent));
    const { url } = byId.get(id)!.callFrame;
    if (url) places.add(placeOf(url));
    stackPlacesCache.set(id, places);
  }
  return places;
}
for (const [id, micros] of selfMicros) for (const place of placesOnStack(id)) inclusiveByPlace.set(place, (inclusiveByPlace.get(place) ?? 0) + micros);

const top = (map: Map<string, number>) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([name, micros]) => `${((100 * micros) / totalMicros).toFixed(1).padStart(5)}%  ${name}`)
    .join("\n");

console.log(
  `${(totalMicros / 1e6).toFixed(1)} s sampled\n\nSelf time by package or file:\n${top(byPlace)}\n\n` +
    `Inclusive time by package or file (anything they called counts too):\n${top(inclusiveByPlace)}\n\nSelf time by function:\n${top(byFunction)}`,
);
