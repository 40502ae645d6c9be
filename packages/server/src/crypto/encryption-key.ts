import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Config } from "../config.js";
import { createSecretBox, generateEncryptionKey, parseEncryptionKey, type SecretBox } from "./secret-box.js";

/** Where the key lives when WACHT_ENCRYPTION_KEY is not set: beside a SQLite file, else in ./data. */
export function defaultEncryptionKeyFile(databaseUrl: string): string | null {
  if (databaseUrl === "sqlite::memory:" || databaseUrl === "sqlite:") return null;
  if (databaseUrl.startsWith("sqlite:")) return join(dirname(resolve(databaseUrl.slice("sqlite:".length))), "wacht.key");
  return resolve("data", "wacht.key");
}

export interface LoadedSecretBox {
  secretBox: SecretBox;
  /** Where the key came from, for the start-up output: never the key itself. */
  source: string;
}

/**
 * The server's SecretBox. Keys come from WACHT_ENCRYPTION_KEY (comma-separated: the first seals,
 * the rest still open what they sealed, for rotation); without it, from a key file created once
 * with mode 0600 (WACHT_ENCRYPTION_KEY_FILE, by default beside the SQLite database). An in-memory
 * database gets a key that lives as long as the process, like the data it protects.
 */
export function loadSecretBox(config: Pick<Config, "encryptionKeys" | "encryptionKeyFile" | "databaseUrl">): LoadedSecretBox {
  if (config.encryptionKeys.length > 0) {
    return { secretBox: createSecretBox(config.encryptionKeys), source: "WACHT_ENCRYPTION_KEY" };
  }
  const file = config.encryptionKeyFile ?? defaultEncryptionKeyFile(config.databaseUrl);
  if (file === null)
    return { secretBox: createSecretBox([parseEncryptionKey(generateEncryptionKey())!]), source: "a key for this process only (in-memory database)" };
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // 'wx' fails if another process created it meanwhile; then we read theirs.
    try {
      writeFileSync(file, `${generateEncryptionKey()}\n`, { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  chmodSync(file, 0o600);
  const keys = readFileSync(file, "utf8")
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((text) => parseEncryptionKey(text));
  if (keys.length === 0 || keys.some((key) => key === null)) throw new Error(`${file} must hold one or more 32-byte keys (64 hex characters each).`);
  return { secretBox: createSecretBox(keys as Buffer[]), source: `key file ${file}` };
}
