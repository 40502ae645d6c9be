/**
 * Lets at most `maxRunning` tasks run at once and at most `maxWaiting` wait their turn; beyond
 * that a task is refused without running. Imported digests go through one of these so that, however
 * many sign-ins hit them, they hold a bounded share of libuv's four threads and our own argon2id
 * hashing (every create, every password change) always finds a free one.
 */
export class VerificationGate {
  #running = 0;
  #mostRunning = 0;
  #refused = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    readonly maxRunning: number,
    readonly maxWaiting: number,
  ) {}

  /** The task's result, or `{ refused: true }` without running it when every place and the queue are taken. */
  async run<T>(task: () => Promise<T>): Promise<{ refused: false; value: T } | { refused: true }> {
    if (this.#running < this.maxRunning) this.#running++;
    else if (this.#waiting.length < this.maxWaiting) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else {
      this.#refused++;
      return { refused: true };
    }
    this.#mostRunning = Math.max(this.#mostRunning, this.#running);
    try {
      return { refused: false, value: await task() };
    } finally {
      // Hand the place straight to the next in line, so a newcomer cannot slip in between.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  /** Counts for tests and metrics: running and waiting now, the most ever running at once, and how many were refused. */
  stats() {
    return { running: this.#running, waiting: this.#waiting.length, mostRunning: this.#mostRunning, refused: this.#refused };
  }
}
