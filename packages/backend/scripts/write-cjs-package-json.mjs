// Our package.json says "type": "module", so Node would read dist/cjs/*.js as ESM;
// this marker makes that folder CommonJS again.
import { writeFileSync } from "node:fs";

writeFileSync(new URL("../dist/cjs/package.json", import.meta.url), '{ "type": "commonjs" }\n');
