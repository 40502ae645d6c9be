/**
 * How the root `npm start` starts the server: `node <flags> <the wacht bin> serve`. The bench
 * starts Wacht from the same file with the same node flags. Reads package.json only, so it can be
 * imported before anything is known to be built.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const START_WORDS = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { scripts: { start: string } }).scripts.start.split(
  /\s+/,
);
const START_SCRIPT_INDEX = START_WORDS.findIndex((word) => word.endsWith(".js"));

/** `wacht serve`, as the root `npm start` runs it (today the bundle, packages/server/bundle/main.js). */
export const SERVER_CLI_PATH = fileURLToPath(new URL(`../../${START_WORDS[START_SCRIPT_INDEX]}`, import.meta.url));

/** The node flags of the root `npm start` script. */
export const START_NODE_FLAGS: string[] = START_WORDS.slice(1, START_SCRIPT_INDEX).filter((word) => word.startsWith("--"));
