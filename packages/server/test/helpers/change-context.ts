import { cliChangeContext } from "../../src/changes/changes.service.js";

/** The actor of service calls made directly by tests (storage and contract tests), as the CLI's would be. */
export const TEST_CONTEXT = cliChangeContext("test", "http://127.0.0.1");
