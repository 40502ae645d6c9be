import { Type, type Static, type TSchema } from "typebox";

/** Shapes every route shares: the error envelope, `{}`, id path parameters and list wrappers. */

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Timestamp = Type.String({ format: "date-time", description: "RFC 3339, UTC" });
export const toTimestamp = (ms: number) => new Date(ms).toISOString();
export const toNullableTimestamp = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

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
