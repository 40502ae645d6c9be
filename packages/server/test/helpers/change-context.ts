import { cliActor } from "../../src/audit-log/audit-log.service.js";
import type { ChangeContext } from "../../src/changes/changes.service.js";
import { userDocumentAt } from "../../src/http/change-context.js";

/** The context of service calls made directly by tests (storage and contract tests), as an operator's would be. */
export const TEST_CONTEXT: ChangeContext = {
  actor: cliActor("test"),
  requestId: null,
  ipAddress: null,
  describeUser: userDocumentAt("http://127.0.0.1"),
};
