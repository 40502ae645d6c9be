import { fileURLToPath } from "node:url";

/**
 * The `wacht` bin as package.json declares it and `npm start` runs it: the bundle
 * (scripts/bundle.mjs) that `npm run build` makes of dist/. Tests spawn what an operator runs.
 */
export const WACHT_BIN = fileURLToPath(new URL("../../bundle/main.js", import.meta.url));
