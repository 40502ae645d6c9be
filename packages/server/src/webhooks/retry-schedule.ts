/**
 * When a failed delivery is tried again. The default follows Standard Webhooks practice: 5 s,
 * 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the attempts before, so a receiver that is down for
 * a day still gets its events. WACHT_WEBHOOK_RETRY_SCHEDULE replaces it (tests shorten it).
 */
export const DEFAULT_RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "5s,5m,30m,2h" (or bare milliseconds "50,100") → delays in ms; null when malformed. */
export function parseRetrySchedule(text: string): number[] | null {
  const parts = text.split(",").map((part) => part.trim());
  const delays: number[] = [];
  for (const part of parts) {
    const match = /^(\d+)(ms|s|m|h|d)?$/.exec(part);
    if (!match) return null;
    delays.push(Number(match[1]) * UNIT_MS[match[2] ?? "ms"]!);
  }
  return delays.length > 0 ? delays : null;
}

/**
 * The wait before the next attempt, after `attemptsMade` attempts failed: the schedule's entry
 * (its last one past its end), ±20 % so endpoints that failed together are not retried in step.
 */
export function retryDelayMs(schedule: number[], attemptsMade: number, random: () => number = Math.random): number {
  const base = schedule[Math.min(Math.max(attemptsMade - 1, 0), schedule.length - 1)]!;
  return Math.round(base * (0.8 + 0.4 * random()));
}
