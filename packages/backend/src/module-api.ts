import { WachtClient, type WachtClientOptions } from "./client.js";
import { PagePromise } from "./core/pagination.js";
import { AuditLogs } from "./resources/audit-logs.js";
import { Users } from "./resources/users.js";
import { Webhooks } from "./resources/webhooks.js";

/*
 * The published SDK's call style: `users.listUsers(options?, client?)`, with a process-wide
 * client behind initClient/getClient. The global exists only for that compatibility; prefer
 * `new WachtClient()` and `client.users`.
 *
 * The functions are derived from the resource classes, so a method added to `Users` is in the
 * module style at once, with the same arguments and per-call options. A WachtClient given as
 * the last argument picks the client: `users.getUser(id, client)`,
 * `users.getUser(id, { timeout: 5_000 }, client)`. Unlike the published SDK, a client is never
 * mistaken for a missing optional argument.
 */

let globalClient: WachtClient | null = null;

/** Sets the client the module-style functions use when given none. */
export function initClient(config: WachtClientOptions): void {
  globalClient = new WachtClient(config);
}

/** The global client, created on first use from WACHT_API_KEY / WACHT_BACKEND_API_URL. */
export function getClient(): WachtClient {
  globalClient ??= new WachtClient();
  return globalClient;
}

export function isClientInitialized(): boolean {
  return globalClient !== null;
}

type DropLast<A extends unknown[]> = A extends [...infer Init, unknown?] ? Init : A;

/** A resource method, callable with a client last: after its per-call options, or instead of them. */
export type ModuleFunction<A extends unknown[], R> = ((...args: [...A, client?: WachtClient]) => R) & ((...args: [...DropLast<A>, client?: WachtClient]) => R);

export type ModuleApi<TResource> = {
  [K in keyof TResource]: TResource[K] extends (...args: infer A) => infer R ? ModuleFunction<A, R> : never;
};

/** Builds the module-style object of a resource from its class: one function per method. */
function deriveModuleApi<TResource extends object>(prototype: TResource, resourceOf: (client: WachtClient) => TResource): ModuleApi<TResource> {
  const api: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of Object.getOwnPropertyNames(prototype)) {
    if (name === "constructor" || typeof Reflect.get(prototype, name) !== "function") continue;
    api[name] = (...args: unknown[]) => {
      const client = args.at(-1) instanceof WachtClient ? (args.pop() as WachtClient) : null;
      let resource: TResource;
      try {
        resource = resourceOf(client ?? getClient());
      } catch (error) {
        // No API key anywhere: reject (awaited or iterated, as a list call may be) rather than throw.
        return new PagePromise<never>(Promise.reject(error), () => Promise.reject(error));
      }
      return (Reflect.get(resource, name) as (...args: unknown[]) => unknown).apply(resource, args);
    };
  }
  return api as ModuleApi<TResource>;
}

export const users: ModuleApi<Users> = deriveModuleApi(Users.prototype, (client) => client.users);
export const webhooks: ModuleApi<Webhooks> = deriveModuleApi(Webhooks.prototype, (client) => client.webhooks);
export const auditLogs: ModuleApi<AuditLogs> = deriveModuleApi(AuditLogs.prototype, (client) => client.auditLogs);
