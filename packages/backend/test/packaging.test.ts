import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const REPO_DIR = join(PACKAGE_DIR, "../..");
const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as Record<string, unknown>;

function run(args: string[]): string {
  // From the repo root, as an app in the monorepo would import it: through node_modules/@wacht/backend.
  return execFileSync(process.execPath, args, { cwd: REPO_DIR, encoding: "utf8" }).trim();
}

function sourceFiles(directory: string, extension = ".ts"): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(directory, entry.name), extension) : entry.name.endsWith(extension) ? [join(directory, entry.name)] : [],
  );
}

describe("the package", () => {
  it("has been built (npm run build -w @wacht/backend)", () => {
    for (const file of ["dist/esm/index.js", "dist/esm/index.d.ts", "dist/cjs/index.js", "dist/cjs/index.d.ts", "dist/cjs/package.json"]) {
      expect(existsSync(join(PACKAGE_DIR, file)), file).toBe(true);
    }
  });

  it("imports from plain Node as ESM and as CommonJS, with the same exports", () => {
    const esm = run(["--input-type=module", "-e", 'import * as b from "@wacht/backend"; console.log(Object.keys(b).sort().join(","))']);
    const cjs = run(["-e", 'console.log(Object.keys(require("@wacht/backend")).sort().join(","))']);
    expect(esm.split(",")).toEqual(expect.arrayContaining(["WachtClient", "NotFoundError", "users", "initClient", "getClient"]));
    expect(cjs).toBe(esm);
    const check = 'const { WachtClient } = require("@wacht/backend"); console.log(typeof new WachtClient({ apiKey: "k" }).users.listUsers)';
    expect(run(["-e", check])).toBe("function");
  });

  it("declares no side effects and the exports map", () => {
    expect(manifest["sideEffects"]).toBe(false);
    expect(manifest["engines"]).toEqual({ node: ">=18" });
    expect(manifest["exports"]).toMatchObject({
      ".": { import: { types: "./dist/esm/index.d.ts", default: "./dist/esm/index.js" }, require: { types: "./dist/cjs/index.d.ts" } },
    });
  });

  it("imports nothing but its own files and its declared dependencies (jose) at run time", () => {
    const dependencies = Object.keys((manifest["dependencies"] ?? {}) as Record<string, string>);
    for (const file of sourceFiles(join(PACKAGE_DIR, "dist"), ".js")) {
      const specifiers = [...readFileSync(file, "utf8").matchAll(/(?:from\s+|import\(|require\()["']([^"']+)["']/g)].map((match) => match[1]);
      expect(
        specifiers.filter((specifier) => !specifier!.startsWith(".") && !dependencies.includes(specifier!)),
        file,
      ).toEqual([]);
    }
  });

  it("uses no Node-only module or global in its source", () => {
    for (const file of sourceFiles(join(PACKAGE_DIR, "src"))) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toMatch(/from\s+["']node:|require\(|\bBuffer\b|process\.env/);
    }
  });
});
