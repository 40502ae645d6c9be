/**
 * Raw argon2id as a target that takes turns with the servers: the server's own `hashPassword`
 * (the built server's library and parameters) in a loop inside this process, which does nothing
 * else. The runner pins it to the server's core and reads its CPU from /proc like any target's,
 * thread pool included. node:http only carries the runner's orders, one per slice; no hash
 * crosses it (bench/README.md says why):
 *   POST /hash {password}               → 201 {hash}                 one hash, for the preflight
 *   POST /loop {seconds, concurrency}   → 200 {hashes, seconds, p50Ms, p99Ms}
 * Run as its own process: node argon2-server.mjs --port <n>
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { ARGON2ID_PARAMETERS, hashPassword } from "../../../packages/server/dist/passwords/hasher.js";

/** @typedef {import("node:http").IncomingMessage} IncomingMessage */
/** @typedef {import("node:http").ServerResponse} ServerResponse */

const { values } = parseArgs({ options: { port: { type: "string" } } });

/** @param {ServerResponse} response @param {number} status @param {unknown} body */
function send(response, status, body) {
  const json = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json) });
  response.end(json);
}

/** @param {IncomingMessage} request @returns {Promise<Record<string, any>>} */
async function readJson(request) {
  /** @type {Buffer[]} */
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const percentile = (/** @type {number[]} */ sorted, /** @type {number} */ fraction) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;

/**
 * `concurrency` hashes in flight (libuv's pool size: what a server hashes at once) until the
 * deadline. It answers then with the hashes finished so far, as autocannon counts the answers a
 * server gave within its duration: the hashes still in flight cost CPU in the runner's window and
 * count for nothing, on both sides (the runner waits for them to finish before the next slice).
 * @param {number} seconds @param {number} concurrency
 */
function hashUntil(seconds, concurrency) {
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  /** @type {number[]} */
  const latenciesMs = [];
  const lane = async (/** @type {number} */ laneIndex) => {
    for (let attempt = 0; performance.now() < deadline; attempt++) {
      const sentAt = performance.now();
      await hashPassword(`violet tractor umbrella ${laneIndex}/${attempt}`);
      latenciesMs.push(performance.now() - sentAt);
    }
  };
  for (let laneIndex = 0; laneIndex < concurrency; laneIndex++) void lane(laneIndex);
  return new Promise((resolve) =>
    setTimeout(() => {
      const sorted = latenciesMs.slice().sort((a, b) => a - b);
      const microseconds = (/** @type {number} */ ms) => Math.round(ms * 1000) / 1000;
      resolve({
        hashes: sorted.length,
        seconds: (performance.now() - startedAt) / 1000,
        p50Ms: microseconds(percentile(sorted, 0.5)),
        p99Ms: microseconds(percentile(sorted, 0.99)),
        parameters: ARGON2ID_PARAMETERS,
      });
    }, seconds * 1000),
  );
}

/** @param {IncomingMessage} request @param {ServerResponse} response */
async function handle(request, response) {
  if (request.method !== "POST") return send(response, 404, { message: "not found" });
  const body = await readJson(request);
  if (request.url === "/hash") return send(response, 201, { hash: await hashPassword(String(body.password)) });
  if (request.url === "/loop") return send(response, 200, await hashUntil(Number(body.seconds), Number(body.concurrency)));
  send(response, 404, { message: "not found" });
}

const server = createServer((request, response) => {
  handle(request, response).catch((error) => {
    console.error(error);
    if (!response.headersSent) send(response, 500, { message: "internal error" });
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(values.port), "127.0.0.1", () => console.log(JSON.stringify({ ready: true })));
process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
