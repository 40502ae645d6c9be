import { afterAll, beforeAll } from "vitest";
import type { DialectName } from "../../src/storage/dialect.js";
import type { DbHandle } from "../../src/storage/db.js";
import { apiClient, type ApiCall } from "./api.js";
import { startServer, type StartServerOptions, type TestServer } from "./start-server.js";
import { openTestDb } from "./test-database.js";

export interface UsedServer extends TestServer {
  /** `fetch` with the server's API key: `await server.call("GET", "/users")`. */
  call: ApiCall;
}

/** Properties of `target()` read at use time: the value exists only once beforeAll has run. */
function lateBound<T extends object>(target: () => T, extra: Record<string, unknown> = {}): T {
  return new Proxy(extra as T, {
    get: (own, property) => (property in own ? (own as Record<PropertyKey, unknown>)[property] : (target() as Record<PropertyKey, unknown>)[property]),
  });
}

/**
 * One real server for the describe block it is called in: started in beforeAll, closed in afterAll.
 * `const server = useServer(dialect); const call = server.call;` replaces the usual four hooks.
 */
export function useServer(dialect: DialectName, options: StartServerOptions = {}): UsedServer {
  let started: TestServer | undefined;
  let call: ApiCall | undefined;
  beforeAll(async () => {
    started = await startServer(dialect, options);
    call = apiClient(started.baseUrl, started.apiKey);
  });
  afterAll(async () => started?.close());
  const current = () => started ?? failEarly("useServer");
  return lateBound<UsedServer>(current as () => UsedServer, { call: ((...args: Parameters<ApiCall>) => (call ?? failEarly("useServer"))(...args)) as ApiCall });
}

export interface TwoInstances {
  first: UsedServer;
  /** Started on the first's database; its `call` uses the first's key, as any instance behind a load balancer would be called. */
  second: UsedServer;
}

/** Two stateless servers on one Postgres database for the describe block: started in beforeAll, closed in afterAll. */
export function useTwoInstances(options: StartServerOptions = {}): TwoInstances {
  let first: TestServer | undefined;
  let second: TestServer | undefined;
  beforeAll(async () => {
    first = await startServer("postgres", options);
    second = await startServer("postgres", { ...options, databaseUrl: first.databaseUrl });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });
  const startedFirst = () => first ?? failEarly("useTwoInstances");
  const startedSecond = () => second ?? failEarly("useTwoInstances");
  const callVia = (instance: () => TestServer) => ((...args: Parameters<ApiCall>) => apiClient(instance().baseUrl, startedFirst().apiKey)(...args)) as ApiCall;
  return {
    first: lateBound<UsedServer>(startedFirst as () => UsedServer, { call: callVia(startedFirst) }),
    second: lateBound<UsedServer>(startedSecond as () => UsedServer, { call: callVia(startedSecond) }),
  };
}

/** A migrated database for storage tests, opened in beforeAll and dropped in afterAll. */
export function useTestDb(dialect: DialectName): DbHandle & { url: string } {
  let opened: (DbHandle & { url: string }) | undefined;
  beforeAll(async () => {
    opened = await openTestDb(dialect);
  });
  afterAll(async () => opened?.close());
  return lateBound(() => opened ?? failEarly("useTestDb"));
}

function failEarly(helper: string): never {
  throw new Error(`${helper}(): it starts in beforeAll; use what it returns inside tests and hooks, not while the file is being collected.`);
}
