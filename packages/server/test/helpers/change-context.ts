import { cliActor } from "../../src/audit-log/audit-log.service.js";
import { detailsDocumentAt, userDocumentAt } from "../../src/http/change-context.js";
import type { UserChangeContext } from "../../src/user-accounts/user-accounts.service.js";

/** The context of service calls made directly by tests (storage and contract tests), as an operator's would be. */
export const TEST_CONTEXT: UserChangeContext = {
  actor: cliActor("test"),
  requestId: null,
  ipAddress: null,
  describeUser: userDocumentAt("http://127.0.0.1"),
  describeDetails: detailsDocumentAt("http://127.0.0.1"),
};
