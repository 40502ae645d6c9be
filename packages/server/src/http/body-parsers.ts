import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ValidationError } from "../errors.js";
import { MAX_PROFILE_IMAGE_BYTES } from "../profile-images/profile-images.service.js";

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

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
    });
    app.addHook("preValidation", async (request) => {
      request.uploadedFiles = {};
      if (!request.isMultipart()) return;
      request.body = typeMultipartFields(request, (request.body ?? {}) as Record<string, unknown>);
    });
  },
  { name: "body-parsers" },
);

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
      if (!Buffer.isBuffer(value)) throw ValidationError.field(name, "must be a file");
      request.uploadedFiles[name] = value;
      continue;
    }
    if (typeof value !== "string") throw ValidationError.field(name, Buffer.isBuffer(value) ? "must be a text field, not a file" : "must be sent once");
    typed[name] = typeTextField(name, value, schemaTypesOf(properties[name]));
  }
  return typed;
}

function typeTextField(name: string, value: string, types: string[]): unknown {
  if (types.includes("boolean") && (value === "true" || value === "false")) return value === "true";
  if (types.includes("object")) {
    try {
      return JSON.parse(value);
    } catch {
      throw ValidationError.field(name, "must be a JSON object");
    }
  }
  if (types.includes("null") && value === "null") return null;
  return value;
}
