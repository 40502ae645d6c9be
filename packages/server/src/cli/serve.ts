import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import type { Config } from "../config.js";

// V8's default: the young generation doubles whenever a scavenge finds it busy.
const SEMI_SPACE_GROWTH_FACTOR = 2;

const help = `wacht serve — start the Backend API server

Reads PORT, HOST, DATABASE_URL and WACHT_* from the environment (see 'wacht --help').
Options:
  --port N    overrides PORT
  --host H    overrides HOST`;

/** Returns -1: the process keeps running until a signal stops it. */
export async function runServeCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: "string" }, host: { type: "string" }, help: { type: "boolean" } } });
  if (values.help) {
    console.log(help);
    return 0;
  }
  // Loading and building the server makes mostly short-lived garbage, which would grow the young
  // generation to its maximum (32 MB kept at idle): it stays at its first size until the server
  // listens, then grows under load as usual (bench/README.md, idle RSS).
  setFlagsFromString("--semi-space-growth-factor=1");
  const { startServer } = await import("../server.js");
  const server = await startServer({ ...config, ...(values.port && { port: Number(values.port) }), ...(values.host && { host: values.host }) }).finally(() =>
    setFlagsFromString(`--semi-space-growth-factor=${SEMI_SPACE_GROWTH_FACTOR}`),
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      // Finish requests in flight, then close the database.
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  return -1;
}
