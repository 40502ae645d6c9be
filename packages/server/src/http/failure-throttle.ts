/**
 * Counts failures per key (a client address) in fixed windows, in this process's memory, and says
 * when a key has used up its allowance. Used where a failure must be counted *before* the costly
 * or revealing step (a key lookup) runs again. Per instance: N instances allow N × max.
 */
export class FailureThrottle {
  private readonly windows = new Map<string, { startedAtMs: number; failures: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    /** Distinct keys remembered at most; the oldest are forgotten first, so memory stays bounded. */
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds until `key` may try again, or null when it may now. */
  retryAfterSeconds(key: string, nowMs: number): number | null {
    if (this.max === 0) return null;
    const window = this.windows.get(key);
    if (!window || nowMs - window.startedAtMs >= this.windowMs || window.failures < this.max) return null;
    return Math.max(1, Math.ceil((window.startedAtMs + this.windowMs - nowMs) / 1000));
  }

  recordFailure(key: string, nowMs: number): void {
    if (this.max === 0) return;
    const window = this.windows.get(key);
    if (window && nowMs - window.startedAtMs < this.windowMs) {
      window.failures++;
      return;
    }
    this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(key, { startedAtMs: nowMs, failures: 1 });
  }
}
