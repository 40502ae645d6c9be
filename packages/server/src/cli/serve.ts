import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { startServer } from "../server.js";

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
  const server = await startServer({ ...config, ...(values.port && { port: Number(values.port) }), ...(values.host && { host: values.host }) });
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
