import { createReadStream } from "node:fs";
import type { ImportUser } from "../import.schemas.js";

/**
 * One record of a provider's export, read into our import item. A record that cannot become an
 * item at all (a deleted user, a line that is not JSON) carries `reason` instead, for the rejects
 * file; `dropped` names what the record held that we do not carry over.
 */
export interface ReadRecord {
  /** Where it is in the source, for people: "line 12", "row 3", "user 5". */
  location: string;
  item?: ImportUser;
  reason?: string;
  dropped: string[];
}

export type FormatReader = AsyncGenerator<ReadRecord>;

/** A project's password hash parameters (Firebase console → Authentication → Users → ⋮ → Password hash parameters). */
export interface FirebaseHashConfig {
  /** base64_signer_key */
  signerKey: string;
  /** base64_salt_separator */
  saltSeparator: string;
  rounds: number;
  memCost: number;
}

/** Told how many bytes of the main file were read so far, for a progress bar. */
export type BytesRead = (bytes: number) => void;

/** A file as a stream of 64 KiB chunks. */
export async function* fileChunks(path: string, onBytesRead?: BytesRead): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    total += (chunk as Buffer).length;
    onBytesRead?.(total);
    yield chunk as Buffer;
  }
}

/** "Ada Lovelace" → first "Ada", last "Lovelace"; one word is a first name. */
export function splitName(fullName: string | null | undefined): { first_name?: string; last_name?: string } {
  const trimmed = fullName?.trim();
  if (!trimmed) return {};
  const space = trimmed.indexOf(" ");
  return space === -1 ? { first_name: trimmed } : { first_name: trimmed.slice(0, space), last_name: trimmed.slice(space + 1).trim() };
}

/**
 * A time as providers write it → RFC 3339: ISO strings, Postgres text ("2024-01-15 10:30:00.000000+00"),
 * epoch milliseconds (numbers or digit strings, as Firebase writes them), Mongo's {"$date": …}.
 */
export function toIsoTime(value: unknown): string | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (typeof value === "object" && "$date" in (value as object)) return toIsoTime((value as { $date: unknown }).$date);
  let ms: number;
  if (typeof value === "number") ms = value < 1e11 ? value * 1000 : value;
  else if (typeof value === "string" && /^\d+$/.test(value)) ms = Number(value) < 1e11 ? Number(value) * 1000 : Number(value);
  else if (typeof value === "string") {
    // Postgres: a space instead of T, "+00" instead of "+00:00", microseconds.
    const normalized = value
      .trim()
      .replace(" ", "T")
      .replace(/([+-]\d\d)$/, "$1:00");
    ms = Date.parse(normalized);
  } else return undefined;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** A value that may arrive as JSON text (CSV columns, Firebase's customAttributes) or already parsed. */
export function jsonObjectOf(value: unknown): Record<string, unknown> | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/** "t"/"true"/1/true → true: booleans as psql, SQLite and JSON write them. */
export const isTruthy = (value: unknown) => value === true || value === 1 || value === "1" || value === "t" || value === "true" || value === "TRUE";

export const isPresent = (value: unknown) => value !== null && value !== undefined && value !== "";

/** Keys of `source` that are present and not in `kept`: what a reader drops. */
export function droppedKeys(source: Record<string, unknown>, kept: readonly string[]): string[] {
  return Object.keys(source).filter((key) => !kept.includes(key) && isPresent(source[key]));
}
