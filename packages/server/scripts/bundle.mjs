// The `wacht` bin and `npm start` run bundle/main.js: the built server (dist/, from tsc) and its
// dependencies in a few files. Loading ~900 separate modules was most of the start-up's CPU (resolving,
// reading and compiling each file), and their loader state stayed in the idle server's memory
// (bench/README.md, issue 14). dist/ stays as it is: tests and the bench import its modules.
import { build } from "esbuild";
import { chmodSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}bundle`;

// Not bundled: native addons (loaded through their own binding lookups) and the drivers a SQLite
// server without Redis never loads (pg, ioredis: loaded on first use from node_modules, as before).
const external = ["better-sqlite3", "@node-rs/*", "pg", "ioredis"];

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: `${root}dist/cli/main.js` },
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Every `import()` stays a separate chunk loaded when it runs (CLI commands, passkeys, jose…).
  // Chunks sit beside main.js, and bundle/ beside dist/: config.ts finds the console relative to its own file.
  splitting: true,
  external,
  // CommonJS dependencies inside an ES module still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);" },
  logLevel: "warning",
});
chmodSync(`${outdir}/main.js`, 0o755);
