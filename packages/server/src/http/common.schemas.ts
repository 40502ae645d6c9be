import { Type, type Static, type TSchema } from "typebox";

/** Shapes every route shares: the error envelope, `{}`, id path parameters and list wrappers. */

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Timestamp = Type.String({ format: "date-time", description: "RFC 3339, UTC" });
const MS_PER_DAY = 86_400_000;
// 10000-01-01T00:00:00Z: from there on toISOString writes a six-digit, signed year.
const FIRST_MS_OF_YEAR_10000 = 253_402_300_800_000;
const MAX_CACHED_DAYS = 4096;
/** "2026-12-01T" by day number since the epoch: most answers' times fall on a few days. */
const dayPrefixes = new Map<number, string>();
const pad2 = (value: number) => (value < 10 ? `0${value}` : `${value}`);
const pad3 = (value: number) => (value < 10 ? `00${value}` : value < 100 ? `0${value}` : `${value}`);

/**
 * `new Date(ms).toISOString()`, written from a cached day and the time of day: the Date object
 * and its formatting took ~0.9 µs a time, and a list page writes three times for each of its
 * users (bench/README.md). Times before 1970 or after year 9999 go to toISOString itself.
 */
export function toTimestamp(ms: number): string {
  if (!(ms >= 0 && ms < FIRST_MS_OF_YEAR_10000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / MS_PER_DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= MAX_CACHED_DAYS) dayPrefixes.clear();
    prefix = new Date(day * MS_PER_DAY).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * MS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${prefix}${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(rest - seconds * 1000)}Z`;
}
export const toNullableTimestamp = (ms: number | null) => (ms === null ? null : toTimestamp(ms));

export const ErrorSchema = Type.Object(
  {
    message: Type.String(),
    code: Type.String({ description: "Stable snake_case error code" }),
    details: Type.Optional(Nullable(Type.Record(Type.String(), Type.String()))),
    errors: Type.Array(Type.Object({ message: Type.String(), code: Type.Integer() })),
  },
  { description: "The error envelope of every 4xx and 5xx answer" },
);

export const EmptySchema = Type.Object({}, { additionalProperties: false });

// Ids are opaque to clients; the pattern only keeps obvious garbage away from the database.
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" });

export const UserIdParamsSchema = Type.Object({ userId: Id });
export type UserIdParams = Static<typeof UserIdParamsSchema>;

/** The `{data, has_more}` wrapper of the small per-user lists (emails, phones, connections, sessions). */
export const listOf = <T extends TSchema>(item: T) => Type.Object({ data: Type.Array(item), has_more: Type.Boolean() });

/** Error answers documented on every authenticated route. */
export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  429: ErrorSchema,
} as const;
