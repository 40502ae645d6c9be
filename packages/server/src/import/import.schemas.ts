import { Ajv, type ErrorObject } from "ajv";
import { Type, type Static } from "typebox";
import { Nullable } from "../http/common.schemas.js";

const Metadata = Type.Unsafe<Record<string, unknown>>({ type: "object", additionalProperties: true, description: "Any JSON object; at most 32 KiB" });

export const ImportEmailSchema = Type.Object(
  {
    email: Type.String({ maxLength: 320 }),
    verified: Type.Optional(Type.Boolean({ description: "Defaults to false" })),
    primary: Type.Optional(Type.Boolean({ description: "At most one; must be verified. Without one, the first verified address is primary" })),
  },
  { additionalProperties: false },
);

export const ImportPhoneSchema = Type.Object(
  {
    phone_number: Type.String({ maxLength: 64, description: "E.164" }),
    verified: Type.Optional(Type.Boolean()),
    primary: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ImportSocialConnectionSchema = Type.Object(
  {
    provider: Type.String({ maxLength: 64, description: "e.g. google, github_oauth" }),
    provider_user_id: Type.String({ maxLength: 255 }),
    email_address: Type.Optional(Nullable(Type.String({ maxLength: 320 }))),
  },
  { additionalProperties: false },
);

/**
 * One user to import: the create fields plus everything a user brings from another provider.
 * This is also one line of our JSONL export (`wacht export`), so the two round-trip.
 */
export const ImportUserSchema = Type.Object(
  {
    external_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255 }))),
    first_name: Type.Optional(Type.String({ maxLength: 256 })),
    last_name: Type.Optional(Type.String({ maxLength: 256 })),
    username: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    email_address: Type.Optional(Type.String({ maxLength: 320, description: "Shorthand for one verified, primary entry of email_addresses" })),
    phone_number: Type.Optional(Type.String({ maxLength: 64, description: "Shorthand for one verified, primary entry of phone_numbers" })),
    email_addresses: Type.Optional(Type.Array(ImportEmailSchema, { maxItems: 50 })),
    phone_numbers: Type.Optional(Type.Array(ImportPhoneSchema, { maxItems: 50 })),
    password: Type.Optional(Type.String({ maxLength: 4096, description: "A plain password, hashed here (slow: prefer password_digest)" })),
    skip_password_check: Type.Optional(Type.Boolean()),
    password_digest: Type.Optional(Nullable(Type.String({ maxLength: 1024, description: "A hash from another provider; never verified during import" }))),
    password_hasher: Type.Optional(Nullable(Type.String({ maxLength: 64, description: "The format of password_digest, e.g. bcrypt, argon2id" }))),
    totp_secret: Type.Optional(
      Nullable(
        Type.String({ maxLength: 256, description: "Base32, at least 128 bits (HMAC-SHA1, 6 digits, 30 s: what Clerk and Auth0 export); sealed at rest" }),
      ),
    ),
    backup_codes: Type.Optional(
      Type.Array(Type.String({ maxLength: 256 }), {
        maxItems: 50,
        description: "Plain codes (8 letters or digits; hashed here, slowly) or bcrypt / argon2 hashes of them; replace any the user has",
      }),
    ),
    created_at: Type.Optional(Type.String({ format: "date-time", description: "Kept as the user's created_at" })),
    disabled: Type.Optional(Type.Boolean()),
    public_metadata: Type.Optional(Metadata),
    private_metadata: Type.Optional(Metadata),
    social_connections: Type.Optional(Type.Array(ImportSocialConnectionSchema, { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type ImportUser = Static<typeof ImportUserSchema>;

export const MAX_IMPORT_BATCH = 1000;

export const ImportUsersBodySchema = Type.Object(
  {
    // Items are checked one by one (checkImportUser) so that one bad item fails alone, not the call.
    users: Type.Array(Type.Unsafe<ImportUser>({ type: "object", description: "An ImportUser" }), { minItems: 1, maxItems: MAX_IMPORT_BATCH }),
    on_conflict: Type.Optional(Type.Union([Type.Literal("skip"), Type.Literal("update")], { default: "skip" })),
    emit_events: Type.Optional(Type.Boolean({ description: "Send webhook events for imported users (default false)" })),
    dry_run: Type.Optional(Type.Boolean({ description: "Check every item and answer as an import would, writing nothing" })),
  },
  { additionalProperties: false },
);
export type ImportUsersBody = Static<typeof ImportUsersBodySchema>;

export const ImportStatus = Type.Union([Type.Literal("created"), Type.Literal("updated"), Type.Literal("skipped"), Type.Literal("failed")]);

export const ImportItemErrorSchema = Type.Object(
  { code: Type.String(), message: Type.String(), field: Nullable(Type.String()) },
  { additionalProperties: false },
);

export const ImportResultSchema = Type.Object(
  {
    index: Type.Integer(),
    status: ImportStatus,
    user_id: Nullable(Type.String()),
    error: Nullable(ImportItemErrorSchema),
  },
  { additionalProperties: false },
);

export const ImportUsersResponseSchema = Type.Object(
  {
    results: Type.Array(ImportResultSchema),
    created: Type.Integer(),
    updated: Type.Integer(),
    skipped: Type.Integer(),
    failed: Type.Integer(),
  },
  { additionalProperties: false },
);
export type ImportUsersResponse = Static<typeof ImportUsersResponseSchema>;

// The same settings the HTTP layer validates JSON bodies with (http/validation.ts).
const validateImportUser = new Ajv({
  allErrors: false,
  useDefaults: true,
  removeAdditional: false,
  strict: false,
  coerceTypes: false,
  formats: { "date-time": true },
}).compile(ImportUserSchema);

/** An item checked against ImportUserSchema, or the first field that breaks it and the rule. */
export function checkImportUser(value: unknown): { item: ImportUser } | { field: string | null; rule: string } {
  if (validateImportUser(value)) return { item: value as ImportUser };
  const error = validateImportUser.errors![0]!;
  return { field: fieldOf(error), rule: error.message ?? "is invalid" };
}

/** "/email_addresses/0/email" → "email_addresses[0].email"; unknown properties name themselves. */
function fieldOf(error: ErrorObject): string | null {
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join("")
    .replace(/^\./, "");
  const extra = (error.params as { additionalProperty?: string }).additionalProperty;
  if (extra) return path ? `${path}.${extra}` : extra;
  return path || null;
}

/** The one mapping of an import's outcome to the wire (the route's answer, and the CLI's batches). */
export interface ImportOutcome {
  results: Array<{
    index: number;
    status: ImportUsersResponse["results"][number]["status"];
    userId: string | null;
    error: { code: string; message: string; field: string | null } | null;
  }>;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export function toImportResponseJson(summary: ImportOutcome): ImportUsersResponse {
  return {
    results: summary.results.map((result) => ({ index: result.index, status: result.status, user_id: result.userId, error: result.error })),
    created: summary.created,
    updated: summary.updated,
    skipped: summary.skipped,
    failed: summary.failed,
  };
}
