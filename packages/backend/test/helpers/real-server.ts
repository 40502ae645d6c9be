/**
 * A real @wacht/server on a temporary SQLite file, from the server package's own
 * test helper. The specifier is computed so that typechecking this package does
 * not pull in (and re-check) the server's sources.
 */
export interface RealServer {
  baseUrl: string;
  apiKey: string;
  close(): Promise<void>;
}

const START_SERVER_MODULE = "../../../server/test/helpers/start-server.js";

/** `config` overrides the server's settings, e.g. `{ rateLimitMax: 2 }`. */
export async function startRealServer(config: Record<string, unknown> = {}): Promise<RealServer> {
  const helper = (await import(START_SERVER_MODULE)) as {
    startServer(dialect?: "sqlite" | "postgres", options?: { config?: Record<string, unknown> }): Promise<RealServer>;
  };
  return helper.startServer("sqlite", { config });
}

let counter = 0;

/** An address no other test in the run uses, so tests can share one server in any order. */
export function uniqueEmail(label = "user"): string {
  counter += 1;
  return `${label}.${Date.now().toString(36)}.${process.pid}.${counter}@example.com`;
}

/** A valid US number no other test in this file uses (each file has its own database). */
export function uniquePhone(): string {
  counter += 1;
  return `+1650253${String(counter % 10_000).padStart(4, "0")}`;
}

/** The smallest valid PNG (1×1), for profile image uploads. */
export function tinyPng(): Blob {
  const base64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
  return new Blob([Buffer.from(base64, "base64")], { type: "image/png" });
}
