import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BetterAuthSeed } from "./seed/better-auth.js";
import type { WachtSeed } from "./seed/wacht.js";

/**
 * What `--keep DIR` remembers between runs, in DIR/seeds.json next to the SQLite files: the seeded
 * users' ids (the workloads pick from them) and what each target needs to be started again on the
 * same data. Seeding a million users takes minutes per target; a kept set is seeded once.
 */
export interface KeptSeeds {
  users: number;
  wacht?: WachtSeed;
  /** Wacht on Postgres: the database it was seeded into (never dropped) and its seed. */
  wachtPostgres?: { database: string; seed: WachtSeed };
  floor?: { seconds: number };
  /** Better Auth's admin cookie is only good for the same secret, and its Origin check for the same port. */
  betterAuth?: { seed: BetterAuthSeed; port: number; secret: string };
}

export class SeedStore {
  private readonly file: string;
  readonly seeds: KeptSeeds;

  constructor(
    readonly directory: string,
    users: number,
  ) {
    mkdirSync(directory, { recursive: true });
    this.file = join(directory, "seeds.json");
    this.seeds = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, "utf8")) as KeptSeeds) : { users };
    if (this.seeds.users !== users)
      throw new Error(`${resolve(directory)} keeps ${this.seeds.users} seeded users, not ${users}: pass the same --users, or another --keep directory.`);
  }

  save(): void {
    // Written aside and renamed: an interrupted run never leaves a half-written file behind.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.seeds));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
