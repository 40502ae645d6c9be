import SqliteDatabase from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A key → values index on disk, for joining two exports that do not fit in memory (Auth0's users
 * and their password hashes, Supabase's users and identities, Better Auth's users and accounts).
 * The side file is streamed into a temporary SQLite table once, then each user of the main file
 * looks its rows up by key: memory stays at SQLite's page cache whatever the files' sizes, and
 * neither file has to be sorted.
 */
export class SpillIndex {
  private readonly directory = mkdtempSync(join(tmpdir(), "wacht-import-"));
  private readonly database = new SqliteDatabase(join(this.directory, "index.db"));
  private readonly insert;
  private readonly select;
  private pending: Array<[string, string]> = [];

  constructor() {
    // The file is scratch: nothing needs to survive a crash, so skip the journal and fsyncs.
    this.database.pragma("journal_mode = OFF");
    this.database.pragma("synchronous = OFF");
    this.database.pragma("cache_size = -16000");
    this.database.exec("CREATE TABLE entries (key TEXT NOT NULL, value TEXT NOT NULL)");
    this.insert = this.database.prepare("INSERT INTO entries (key, value) VALUES (?, ?)");
    this.select = this.database.prepare("SELECT value FROM entries WHERE key = ? ORDER BY rowid");
  }

  add(key: string, value: unknown): void {
    this.pending.push([key, JSON.stringify(value)]);
    if (this.pending.length >= 5000) this.flush();
  }

  /** Call once every entry is added: writes the rest and builds the lookup index. */
  seal(): void {
    this.flush();
    this.database.exec("CREATE INDEX entries_by_key ON entries (key)");
  }

  get<T>(key: string): T[] {
    return (this.select.all(key) as Array<{ value: string }>).map((row) => JSON.parse(row.value) as T);
  }

  close(): void {
    this.database.close();
    rmSync(this.directory, { recursive: true, force: true });
  }

  private flush(): void {
    const rows = this.pending;
    this.pending = [];
    this.database.transaction(() => {
      for (const [key, value] of rows) this.insert.run(key, value);
    })();
  }
}
