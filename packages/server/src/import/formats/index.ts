import { readAuth0 } from "./auth0.js";
import { readBetterAuth } from "./better-auth.js";
import { readClerkCsv } from "./clerk.js";
import { readFirebase } from "./firebase.js";
import { readWachtJsonl } from "./jsonl.js";
import { readSupabase } from "./supabase.js";
import type { BytesRead, FirebaseHashConfig, FormatReader } from "./types.js";

export type { FirebaseHashConfig, FormatReader, ReadRecord } from "./types.js";

export const IMPORT_SOURCES = ["clerk", "auth0", "supabase", "firebase", "better-auth", "jsonl"] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

export interface ReadExportOptions {
  /** Auth0: the password-hash export (NDJSON). */
  passwordHashesPath?: string;
  /** Supabase: auth.identities. */
  identitiesPath?: string;
  /** Better Auth (exported files): the account table. */
  accountsPath?: string;
  /** Firebase: the project's password hash parameters. */
  firebaseHashConfig?: FirebaseHashConfig;
  /** Progress: bytes of the main file read so far (not called for a Better Auth SQLite file). */
  onBytesRead?: BytesRead;
}

/** The reader of one provider's export: an async generator of import items, never the whole file in memory. */
export function readExport(source: ImportSource, path: string, options: ReadExportOptions = {}): FormatReader {
  switch (source) {
    case "clerk":
      return readClerkCsv(path, { onBytesRead: options.onBytesRead });
    case "auth0":
      return readAuth0(path, { passwordHashesPath: options.passwordHashesPath, onBytesRead: options.onBytesRead });
    case "supabase":
      return readSupabase(path, { identitiesPath: options.identitiesPath, onBytesRead: options.onBytesRead });
    case "firebase":
      return readFirebase(path, { hashConfig: options.firebaseHashConfig, onBytesRead: options.onBytesRead });
    case "better-auth":
      return readBetterAuth(path, { accountsPath: options.accountsPath, onBytesRead: options.onBytesRead });
    case "jsonl":
      return readWachtJsonl(path, { onBytesRead: options.onBytesRead });
  }
}
