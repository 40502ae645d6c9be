#!/usr/bin/env node
/**
 * The layering rule of packages/server/src (see src/README.md), checked with dependency-cruiser:
 * - a *.storage.ts imports only storage/, its own domain and pure shared modules;
 * - nothing outside a domain imports that domain's *.storage.ts: other domains, http/, cli/,
 *   routes and schemas go through its *.service.ts;
 * - no import cycles between files, and none between domain folders: the domains' services,
 *   storage and helpers form a one-way graph (users is the leaf; routes and schemas, the HTTP edge
 *   above every service, are left out of the folder graph).
 * `node scripts/check-boundaries.mjs [srcDir]` prints what breaks the rule and exits 1; the test
 * test/architecture/boundaries.test.ts runs the same check inside `npm test`.
 */
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise } from "dependency-cruiser";

// Modules any layer may import: they hold no table and call no domain.
const SHARED = "ids\\.ts$|on-first-use\\.ts$|errors\\.ts$|errors/|crypto/|secrets\\.ts$|conflicts\\.ts$|config\\.ts$";
// Top-level folders that are not domains.
const NOT_DOMAINS = ["http", "cli", "storage", "errors", "crypto"];

const forbidden = [
  {
    name: "storage-imports-storage-only",
    comment: "A *.storage.ts imports only storage/, files of its own domain and pure shared modules.",
    severity: "error",
    from: { path: "^src/([^/]+)/[^/]+\\.storage\\.ts$" },
    to: { dependencyTypes: ["local"], pathNot: `^src/(storage/|$1/)|^src/(${SHARED})` },
  },
  {
    name: "no-storage-of-another-domain",
    comment: "Another domain's table is reached through its *.service.ts, never its *.storage.ts.",
    severity: "error",
    from: { path: "^src/([^/]+)/" },
    to: { path: "^src/[^/]+/[^/]+\\.storage\\.ts$", pathNot: "^src/$1/" },
  },
  {
    name: "edge-imports-no-storage",
    comment: "Routes, schemas, http/, cli/ and the app call services, never storage.",
    severity: "error",
    from: { path: "(\\.routes|\\.schemas)\\.ts$|^src/(http|cli)/|^src/(app|server)\\.ts$" },
    to: { path: "\\.storage\\.ts$" },
  },
  {
    name: "no-circular",
    comment: "No import cycles between files.",
    severity: "error",
    from: {},
    to: { circular: true },
  },
];

const domainOf = (path) => {
  const match = /^src\/([^/]+)\//.exec(path);
  return match && !NOT_DOMAINS.includes(match[1]) ? match[1] : null;
};
const isEdge = (path) => /\.(routes|schemas)\.ts$/.test(path);

/** Cycles in the graph of domain folders, built from the imports between their non-edge files. */
function findFolderCycles(modules) {
  const edges = new Map();
  for (const module of modules) {
    const from = domainOf(module.source);
    if (!from || isEdge(module.source)) continue;
    for (const dependency of module.dependencies) {
      const to = domainOf(dependency.resolved);
      if (!to || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from).add(to);
    }
  }
  const cycles = [];
  for (const [from, targets] of edges) {
    for (const to of targets) {
      if (from < to && edges.get(to)?.has(from)) cycles.push(`${from} ⇄ ${to}`);
    }
  }
  // Longer cycles (a → b → c → a): a depth-first search from each folder.
  const state = new Map();
  const visit = (folder, path) => {
    state.set(folder, "visiting");
    for (const next of edges.get(folder) ?? []) {
      if (state.get(next) === "visiting" && path.indexOf(next) !== path.length - 2) {
        const cycle = [...path.slice(path.indexOf(next)), next];
        if (cycle.length > 3) cycles.push(cycle.join(" → "));
      } else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(folder, "done");
  };
  for (const folder of edges.keys()) if (!state.has(folder)) visit(folder, [folder]);
  return cycles;
}

/** What in `srcDir` breaks the rule: forbidden imports ("from → to (rule)") and cycles between domain folders. */
export async function checkBoundaries(srcDir) {
  const baseDir = resolve(srcDir, "..");
  const result = await cruise([relative(baseDir, srcDir) || "src"], {
    baseDir,
    ruleSet: { forbidden },
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    validate: true,
  });
  const output = result.output;
  const violations = output.summary.violations.map((violation) => `${violation.from} → ${violation.to} (${violation.rule.name})`);
  return { violations, folderCycles: findFolderCycles(output.modules), moduleCount: output.modules.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const srcDir = resolve(process.argv[2] ?? fileURLToPath(new URL("../src", import.meta.url)));
  const { violations, folderCycles, moduleCount } = await checkBoundaries(srcDir);
  for (const line of violations) console.log(line);
  for (const cycle of folderCycles) console.log(`folder cycle: ${cycle}`);
  console.log(`${moduleCount} modules: ${violations.length} forbidden imports, ${folderCycles.length} cycles between domain folders`);
  process.exitCode = violations.length + folderCycles.length > 0 ? 1 : 0;
}
