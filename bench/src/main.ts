/**
 * `npm run bench`: see ../README.md. Checks what the run needs before anything slow starts.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HELP, readOptions } from "./options.js";
import { SERVER_CLI_PATH } from "./start-script.js";

// Seeding imports dist/ (server-dist.ts); the server under test runs as `npm start` runs it.
const serverBuild = [fileURLToPath(new URL("../../packages/server/dist/app.js", import.meta.url)), SERVER_CLI_PATH];

async function main(): Promise<number> {
  let options;
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (options === null) {
    console.log(HELP);
    return 0;
  }
  const missing = serverBuild.find((file) => !existsSync(file));
  if (missing) {
    console.error(`The server is not built (${missing} is missing): run 'npm run build' at the repository root first.`);
    return 2;
  }
  // Imported only now: it loads the built server.
  const { runBench } = await import("./run.js");
  return runBench(options);
}

process.exitCode = await main();
