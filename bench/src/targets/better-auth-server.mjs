/**
 * Better Auth served the way its docs serve it on Node: `toNodeHandler(auth)` on a node:http server.
 * Run as its own process: node better-auth-server.mjs --database <file> --port <n>, with
 * BETTER_AUTH_SECRET in the environment (the seeder signed the admin session with it).
 */
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { betterAuthOptions, tuneConnection } from "./better-auth-options.mjs";

const { values } = parseArgs({ options: { database: { type: "string" }, port: { type: "string" } } });
const database = new Database(String(values.database));
tuneConnection(database);
const auth = betterAuth(betterAuthOptions(database, `http://127.0.0.1:${values.port}`, String(process.env.BETTER_AUTH_SECRET)));

const server = createServer(toNodeHandler(auth));
server.keepAliveTimeout = 72_000;
server.listen(Number(values.port), "127.0.0.1", () => console.log(JSON.stringify({ ready: true })));
process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
