import type { ImportTotals } from "../import/pipeline.js";

const PLAIN_LINE_INTERVAL_MS = 5000;

/**
 * Progress of an import on stderr: on a terminal, a bar redrawn in place with users/s and an ETA
 * from the share of the file read; otherwise (a log, CI) a plain line every few seconds.
 */
export class ImportProgress {
  private readonly startedAt = Date.now();
  private lastPlainLineAt = 0;
  private fileBytesRead = 0;
  private totals: ImportTotals | null = null;
  private readonly isTerminal: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly totalBytes: number,
  ) {
    this.isTerminal = out.isTTY === true;
  }

  bytesRead(bytes: number): void {
    this.fileBytesRead = bytes;
  }

  update(totals: ImportTotals): void {
    this.totals = totals;
    const now = Date.now();
    if (this.isTerminal) this.out.write(`\r${this.line(now)}\u001b[K`);
    else if (now - this.lastPlainLineAt >= PLAIN_LINE_INTERVAL_MS) {
      this.lastPlainLineAt = now;
      this.out.write(`${this.line(now)}\n`);
    }
  }

  finish(): void {
    if (!this.totals) return;
    if (this.isTerminal) this.out.write(`\r${this.line(Date.now())}\u001b[K\n`);
    else this.out.write(`${this.line(Date.now())}\n`);
  }

  private line(now: number): string {
    const totals = this.totals!;
    const seconds = Math.max((now - this.startedAt) / 1000, 0.001);
    const rate = totals.read / seconds;
    const share = this.totalBytes > 0 ? Math.min(this.fileBytesRead / this.totalBytes, 1) : 0;
    const counts = `${totals.read} read: ${totals.created} created, ${totals.updated} updated, ${totals.skipped} skipped, ${totals.failed} failed`;
    const eta = share > 0 && share < 1 ? ` ETA ${formatDuration((seconds / share) * (1 - share))}` : "";
    const stats = `${Math.round(rate)} users/s${eta}`;
    if (!this.isTerminal) return `import: ${Math.round(share * 100)}% ${counts}; ${stats}`;
    const width = 24;
    const filled = Math.round(share * width);
    return `[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${Math.round(share * 100)}% ${counts} ${stats}`;
  }
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, "0")}s`
    : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
