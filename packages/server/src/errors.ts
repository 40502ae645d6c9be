import { consoleErrors } from "./errors/console.js";
import { deploymentsErrors } from "./errors/deployments.js";
import { httpErrors, storageErrors } from "./errors/http.js";
import { idempotencyErrors } from "./errors/idempotency.js";
import { importErrors } from "./errors/import.js";
import { identifiersErrors } from "./errors/identifiers.js";
import { oauthErrors } from "./errors/oauth.js";
import { profileImagesErrors } from "./errors/profile-images.js";
import { secondFactorsErrors } from "./errors/second-factors.js";
import { sessionsErrors } from "./errors/sessions.js";
import { socialConnectionsErrors } from "./errors/social-connections.js";
import { usersErrors } from "./errors/users.js";
import { webhooksErrors } from "./errors/webhooks.js";

export * from "./errors/classes.js";
export { fieldErrors } from "./errors/define.js";

/**
 * The error catalogue, in the manner of Fastify's lib/errors.js: every code we answer, with its
 * class (hence its status) and its message, is defined once in errors/*.ts and nowhere else.
 * Code throws through it: `throw errors.user_not_found(userId)`; `errors.user_not_found.statusCode`
 * is 404. `npm run build -w @wacht/server` writes the codes for the SDK
 * (packages/backend/src/core/error-codes.ts, see scripts/generate-error-codes.mjs).
 *
 * How a new domain adds its codes:
 *   1. a file errors/<domain>.ts: `export const <domain>Errors = defineErrors({ <code>: entry(<Class>, (args) => message) })`,
 *      codes stable snake_case, a class from errors/classes.ts (add a class only for a new status);
 *   2. one line in its own marked block below, spreading it into `errors`;
 *   3. `npm run build -w @wacht/server` to regenerate the SDK's code list (a test fails while it is stale).
 * A code defined twice stops the server at start (defineErrors), so blocks cannot silently override each other.
 */
export const errors = {
  ...httpErrors,
  ...storageErrors,
  ...usersErrors,
  ...identifiersErrors,
  ...sessionsErrors,
  ...socialConnectionsErrors,
  ...profileImagesErrors,
  ...deploymentsErrors,
  ...idempotencyErrors,
  ...consoleErrors,
  // ---- oauth
  ...oauthErrors,
  // ---- second factors: add here
  ...secondFactorsErrors,
  // ---- webhooks: add here
  ...webhooksErrors,
  // ---- import: add here
  ...importErrors,
  // ---- console: add here
};

export type ErrorCode = keyof typeof errors;

/** Every code with the status it is answered with, in catalogue order: what the SDK's code list is generated from. */
export function listErrorCodes(): Array<{ code: ErrorCode; statusCode: number }> {
  return Object.values(errors).map((factory) => ({ code: factory.code as ErrorCode, statusCode: factory.statusCode }));
}
