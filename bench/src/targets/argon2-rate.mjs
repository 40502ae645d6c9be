/**
 * Raw argon2id: hashes per second with the server's own parameters and library (`hashPassword`
 * from the built server), nothing else in the process. Run pinned to the server's core:
 * node argon2-rate.mjs --seconds <n> --concurrency <n>; prints one JSON line.
 */
import { parseArgs } from "node:util";
import { ARGON2ID_PARAMETERS, hashPassword } from "../../../packages/server/dist/passwords/hasher.js";

const { values } = parseArgs({ options: { seconds: { type: "string" }, concurrency: { type: "string" } } });
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

await hashPassword("warm-up password"); // loads the native module and touches the memory once
let hashes = 0;
const cpuBefore = process.cpuUsage();
const startedAt = performance.now();
const deadline = startedAt + seconds * 1000;
/** @param {number} lane */
async function hashUntilDeadline(lane) {
  for (let attempt = 0; performance.now() < deadline; attempt++) {
    await hashPassword(`correct horse battery staple ${lane}/${attempt}`);
    hashes++;
  }
}
await Promise.all(Array.from({ length: concurrency }, (_, lane) => hashUntilDeadline(lane)));
const elapsedSeconds = (performance.now() - startedAt) / 1000;
// The whole process, libuv's pool threads included: what the hashes cost whatever else ran on the machine.
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  JSON.stringify({
    hashes,
    seconds: elapsedSeconds,
    hashesPerSecond: hashes / elapsedSeconds,
    hashesPerCpuSecond: hashes / cpuSeconds,
    concurrency,
    parameters: ARGON2ID_PARAMETERS,
  }),
);
