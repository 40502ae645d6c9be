import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { checkBoundaries } from "../../scripts/check-boundaries.mjs";

const SRC_DIR = fileURLToPath(new URL("../../src", import.meta.url));

type Check = { violations: string[]; folderCycles: string[]; moduleCount: number };

/** A throwaway src/ tree: file path → source text. */
function writeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "wacht-boundaries-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, "src", path)), { recursive: true });
    writeFileSync(join(root, "src", path), text);
  }
  return root;
}

describe("the layering rule (scripts/check-boundaries.mjs)", () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it("holds for packages/server/src", async () => {
    const check: Check = await checkBoundaries(SRC_DIR);
    expect(check.moduleCount).toBeGreaterThan(50);
    expect(check.violations).toEqual([]);
    expect(check.folderCycles).toEqual([]);
  });

  it("refuses a service reaching another domain's storage, storage reaching out, routes reaching storage, and two-way domains", async () => {
    const root = writeTree({
      "users/users.storage.ts": `import { listThings } from "../things/things.storage.js";\nexport const findUser = () => listThings();\n`,
      "users/users.service.ts": `import { findUser } from "./users.storage.js";\nimport { getThing } from "../things/things.service.js";\nexport const getUser = () => [findUser(), getThing()];\n`,
      "things/things.storage.ts": `export const listThings = () => [];\n`,
      "things/things.service.ts": `import { findUser } from "../users/users.storage.js";\nexport const getThing = () => findUser();\n`,
      "things/things.routes.ts": `import { listThings } from "./things.storage.js";\nexport const routes = () => listThings();\n`,
    });
    roots.push(root);
    const check: Check = await checkBoundaries(join(root, "src"));
    expect(check.violations).toEqual(
      expect.arrayContaining([
        "src/users/users.storage.ts → src/things/things.storage.ts (storage-imports-storage-only)",
        "src/users/users.storage.ts → src/things/things.storage.ts (no-storage-of-another-domain)",
        "src/things/things.service.ts → src/users/users.storage.ts (no-storage-of-another-domain)",
        "src/things/things.routes.ts → src/things/things.storage.ts (edge-imports-no-storage)",
      ]),
    );
    expect(check.folderCycles).toEqual(["things ⇄ users"]);
  });
});
