import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { errors } from "../errors.js";
import { MAX_PROFILE_IMAGE_BYTES, profileImageTooLarge } from "../profile-images/profile-images.service.js";
import { MAX_BODY_DEPTH, parseUntrustedJson, tooDeeplyNested } from "./json-text.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Files of a multipart body, by field name; routes that take none never look. */
    uploadedFiles: Record<string, Buffer>;
  }
}

/** Field names a multipart body may carry as a file. */
const FILE_FIELDS = new Set(["profile_image"]);

/**
 * JSON and multipart/form-data become one body shape before validation: multipart text fields
 * are typed by the route's own body schema (booleans from "true"/"false", objects from JSON text),
 * and files move to `request.uploadedFiles`. Validation then treats both the same.
 */
export const bodyParsers = fp(
  async (app: FastifyInstance) => {
    // Only JSON and multipart are accepted; text/plain would otherwise be read as a string body.
    app.removeContentTypeParser("text/plain");
    app.decorateRequest("uploadedFiles", null as unknown as Record<string, Buffer>);
    await app.register(multipart, {
      attachFieldsToBody: "keyValues",
      limits: { fileSize: MAX_PROFILE_IMAGE_BYTES, files: 1, fields: 50, fieldSize: 64 * 1024, parts: 51, headerPairs: 100 },
      // Reads each file into memory as the plugin would, but a picture over the limit is refused
      // naming its field and the limit rather than as a bare "body too large".
      async onFile(part) {
        try {
          await part.toBuffer();
        } catch (error) {
          if ((error as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE" && part.fieldname === "profile_image") throw profileImageTooLarge();
          throw error;
        }
      },
    });
    // Multipart is read only by routes that take a file; elsewhere it is refused before a byte is read.
    app.addHook("preParsing", (request, _reply, _payload, done) => {
      const contentType = request.headers["content-type"] ?? "";
      const consumes = (request.routeOptions.schema as { consumes?: string[] } | undefined)?.consumes ?? [];
      if (/^multipart\//i.test(contentType) && !consumes.includes("multipart/form-data")) {
        throw errors.unsupported_media_type(undefined, "This route takes application/json, not multipart/form-data.");
      }
      done();
    });
    app.addHook("preValidation", (request, _reply, done) => {
      request.uploadedFiles = {};
      if (request.isMultipart()) request.body = typeMultipartFields(request, (request.body ?? {}) as Record<string, unknown>);
      checkDepth(request.body);
      checkNoNulCharacters(request.body);
      checkNoNulCharacters(request.query);
      done();
    });
  },
  { name: "body-parsers" },
);

/**
 * True for an error of the multipart parser itself (no boundary, a truncated body): busboy raises
 * plain Errors without a status or code, before the hook above has taken the body over.
 */
export function isMultipartReadError(request: FastifyRequest, error: { statusCode?: number; code?: unknown }): boolean {
  return error.statusCode === undefined && error.code === undefined && request.uploadedFiles === null && request.isMultipart?.() === true;
}

/** Rejects bodies nested deeper than MAX_BODY_DEPTH, naming the top-level field; iterative, so depth cannot overflow it. */
function checkDepth(body: unknown): void {
  if (typeof body !== "object" || body === null) return;
  for (const [field, value] of Object.entries(body)) {
    let level: unknown[] = [value];
    for (let depth = 1; level.length > 0; depth++) {
      if (depth > MAX_BODY_DEPTH) throw tooDeeplyNested(field);
      level = level.flatMap((item) => (typeof item === "object" && item !== null ? Object.values(item) : []));
    }
  }
}

/**
 * Postgres text cannot hold U+0000 (SQLite can): text fields and query parameters carrying one are
 * refused on every engine alike. Metadata is stored as JSON, where it is escaped, so it may.
 */
function checkNoNulCharacters(fields: unknown): void {
  if (typeof fields !== "object" || fields === null) return;
  for (const [field, value] of Object.entries(fields)) {
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((text) => typeof text === "string" && text.includes("\u0000")))
      throw errors.validation_failed({ [field]: "must not contain NUL characters" });
  }
}

interface PropertySchema {
  type?: string;
  anyOf?: PropertySchema[];
}

function schemaTypesOf(property: PropertySchema | undefined): string[] {
  if (!property) return [];
  return property.anyOf ? property.anyOf.flatMap(schemaTypesOf) : property.type ? [property.type] : [];
}

function typeMultipartFields(request: FastifyRequest, fields: Record<string, unknown>): Record<string, unknown> {
  const bodySchema = request.routeOptions.schema?.body as { properties?: Record<string, PropertySchema> } | undefined;
  const properties = bodySchema?.properties ?? {};
  const typed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (FILE_FIELDS.has(name)) {
      if (!Buffer.isBuffer(value)) throw errors.validation_failed({ [name]: "must be a file" });
      request.uploadedFiles[name] = value;
      continue;
    }
    if (typeof value !== "string")
      throw errors.validation_failed({ [name]: Buffer.isBuffer(value) ? "must be a text field, not a file" : "must be sent once" });
    typed[name] = typeTextField(name, value, schemaTypesOf(properties[name]));
  }
  return typed;
}

function typeTextField(name: string, value: string, types: string[]): unknown {
  if (types.includes("boolean") && (value === "true" || value === "false")) return value === "true";
  if (types.includes("object")) {
    const parsed = parseUntrustedJson(value, name);
    if (!parsed) throw errors.validation_failed({ [name]: "must be a JSON object" });
    return parsed.value;
  }
  // An empty field clears a nullable value (username); "null" stays text, since it is a valid username.
  if (types.includes("null") && value === "") return null;
  return value;
}
