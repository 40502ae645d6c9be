import { describe, expect, it } from "vitest";
import bcryptjs from "bcryptjs";
import { checkStoredDigest, IMPORTED_VERIFICATION_LIMITS, importedVerifications, normalizeImportedDigest, verifyPassword } from "../../src/passwords/hasher.js";
import { VerificationGate } from "../../src/passwords/hashers/verification-gate.js";
import { betterAuthHash, phcPbkdf2Hash, phpassHash } from "./encoders.js";

/** A promise and the function that settles it, so a test decides when a task ends (no clocks). */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("bounded verification of imported digests", () => {
  it("runs at most maxRunning tasks, queues up to maxWaiting in order, and refuses the rest without running them", async () => {
    const gate = new VerificationGate(2, 2);
    const releases = Array.from({ length: 5 }, () => deferred<string>());
    const started: number[] = [];
    const results = releases.map((release, index) =>
      gate.run(() => {
        started.push(index);
        return release.promise;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect(gate.stats()).toMatchObject({ running: 2, waiting: 2 });
    expect(await results[4]).toEqual({ refused: true });

    releases[1]!.resolve("one");
    expect(await results[1]).toEqual({ refused: false, value: "one" });
    await flush();
    expect(started).toEqual([0, 1, 2]);
    for (const index of [0, 2, 3]) releases[index]!.resolve(`${index}`);
    expect(await Promise.all(results.slice(0, 4))).toEqual(["0", "one", "2", "3"].map((value) => ({ refused: false, value })));
    expect(started).toEqual([0, 1, 2, 3]);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0, mostRunning: 2, refused: 1 });
  });

  it("frees its place when a task throws", async () => {
    const gate = new VerificationGate(1, 0);
    await expect(gate.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate.run(async () => "after")).toEqual({ refused: false, value: "after" });
  });

  it("never runs more than the limit of eight concurrent verifications of capped imported digests", async () => {
    expect(IMPORTED_VERIFICATION_LIMITS.maxRunning).toBeLessThan(4); // libuv's pool has four threads; ours keep the rest
    const passwords = Array.from({ length: 8 }, (_, index) => `imported password ${index}`);
    // Four formats, two each, all within the caps; made cheaply, since verifying them is the point.
    const makers = [
      (password: string) => bcryptjs.hashSync(password, 4),
      (password: string) => phcPbkdf2Hash(password, "sha256", 20_000, 32),
      (password: string) => phpassHash(password, 10),
      (password: string) => (normalizeImportedDigest({ digest: betterAuthHash(password), hasher: "scrypt_better_auth" }) as { stored: string }).stored,
    ];
    const stored = passwords.map((password, index) => makers[index % makers.length]!(password));
    expect(stored.every((digest) => checkStoredDigest(digest) === null)).toBe(true);
    const outcomes = await Promise.all(stored.map((digest, index) => verifyPassword(digest, passwords[index]!)));
    expect(outcomes).toEqual(Array(8).fill(true));
    // Eight at once, the gate ran them IMPORTED_VERIFICATION_LIMITS.maxRunning at a time: reached, never passed.
    expect(importedVerifications.stats()).toEqual({ running: 0, waiting: 0, mostRunning: IMPORTED_VERIFICATION_LIMITS.maxRunning, refused: 0 });
  });

  it("fails an imported verification as a wrong password would when the queue is full, and works again once it drains", async () => {
    const password = "queued out";
    const stored = bcryptjs.hashSync(password, 4);
    const hold = deferred();
    const { maxRunning, maxWaiting } = IMPORTED_VERIFICATION_LIMITS;
    const holders = Array.from({ length: maxRunning + maxWaiting }, () => importedVerifications.run(() => hold.promise));
    await flush();
    expect(importedVerifications.stats()).toMatchObject({ running: maxRunning, waiting: maxWaiting });
    expect(await verifyPassword(stored, password)).toBe(false);
    expect(importedVerifications.stats().refused).toBe(1);
    hold.resolve();
    await Promise.all(holders);
    expect(await verifyPassword(stored, password)).toBe(true);
  });
});
