import { AuthenticationError, ConflictError, NotFoundError } from "./classes.js";
import { conflictOn, defineErrors, entry } from "./define.js";

/** Deployments and their API keys. */
export const deploymentsErrors = defineErrors({
  deployment_not_found: entry(NotFoundError, (which: { deploymentId: string } | { host: string }) =>
    "host" in which ? `No deployment answers on ${which.host.slice(0, 200)}.` : `No deployment with id '${which.deploymentId}'.`,
  ),
  frontend_api_url_taken: entry(ConflictError, () => conflictOn("frontend_api_url", "Another deployment already answers on that frontend API URL.")),
  api_key_not_found: entry(NotFoundError, (keyId: string) => `No active API key with id '${keyId}'.`),
  invalid_api_key: entry(AuthenticationError, () => "The API key is not valid or has been revoked."),
});
