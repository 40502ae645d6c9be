import { Ajv } from "ajv";
import type { FastifyInstance, FastifySchemaValidationError } from "fastify";
import fastJsonStringify from "fast-json-stringify";

declare module "fastify" {
  interface FastifyInstance {
    /**
     * Compiles now every validator and response serializer still waiting for its first use; throws
     * on the first schema that does not compile. Tests call it so a broken schema fails there.
     */
    compileAllSchemas(): void;
  }
}

/** A compiled function built on its first call rather than when the route is registered. */
interface Deferred {
  compile(): void;
}

/**
 * A validator compiled on first use. Fastify reads the outcome's errors from the function itself
 * (`validator.errors` after a false), so the wrapper carries the compiled function's errors.
 */
type Validator = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

function deferredValidator(compile: () => Validator, pending: Set<Deferred>): Validator {
  let compiled: ReturnType<typeof compile> | undefined;
  const entry: Deferred = { compile: () => void (compiled ??= compile()) };
  pending.add(entry);
  const validate: Validator = (data: unknown) => {
    if (!compiled) {
      compiled = compile();
      pending.delete(entry);
    }
    const result = compiled(data);
    validate.errors = compiled.errors;
    return result;
  };
  return validate;
}

function deferredSerializer(compile: () => (data: unknown) => string, pending: Set<Deferred>) {
  let compiled: ((data: unknown) => string) | undefined;
  const entry: Deferred = { compile: () => void (compiled ??= compile()) };
  pending.add(entry);
  return (data: unknown) => {
    if (!compiled) {
      compiled = compile();
      pending.delete(entry);
    }
    return compiled(data);
  };
}

type SchemaNode = { [key: string]: unknown };

const isNullSchema = (node: unknown) => (node as SchemaNode | null)?.type === "null";
const isScalarSchema = (node: unknown) => {
  const type = (node as SchemaNode | null)?.type;
  return typeof type === "string" && type !== "object" && type !== "array" && type !== "null" && !("anyOf" in (node as SchemaNode));
};

/**
 * The serializer's copy of a response schema, with each `anyOf: [scalar, null]` (TypeBox's
 * Nullable) written as `type: [scalar, "null"]`. fast-json-stringify picks an anyOf branch by
 * validating the value against each with ajv (a date-time format check for every nullable
 * timestamp); for a type list it tests typeof. Same output, 1–2% of a read's CPU (bench/README.md).
 * The schemas that validate requests and make the OpenAPI document stay as written.
 */
export function withNullableTypes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withNullableTypes);
  if (schema === null || typeof schema !== "object") return schema;
  const node = schema as SchemaNode;
  const options = node.anyOf;
  if (Array.isArray(options) && options.length === 2 && options.some(isNullSchema)) {
    const value = options.find((option) => !isNullSchema(option));
    if (isScalarSchema(value)) {
      const { anyOf: _anyOf, ...rest } = node;
      return { ...rest, ...(value as SchemaNode), type: [(value as SchemaNode).type, "null"] };
    }
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withNullableTypes(value)]));
}

/**
 * Bodies are JSON and validated strictly: "true" is not a boolean there. Query strings and path
 * parameters are text by nature, so they are coerced to the types their schema names.
 * (Multipart text fields are typed from the schema in body-parsers.ts before validation.)
 *
 * Validators (ajv) and response serializers (fast-json-stringify, what Fastify uses by default)
 * are compiled on a route's first request, not at start: compiling the few hundred schemas of
 * every route was most of the time from start to listening and tens of MB of the idle server's
 * memory, for routes many deployments never call (bench/README.md).
 */
export function useSchemaCompilers(app: FastifyInstance): void {
  const common = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false } as const;
  const bodies = new Ajv({ ...common, coerceTypes: false });
  const text = new Ajv({ ...common, coerceTypes: "array" });
  const pending = new Set<Deferred>();
  app.setValidatorCompiler(({ schema, httpPart }) => deferredValidator(() => (httpPart === "body" ? bodies : text).compile(schema) as Validator, pending));
  // No external schemas (nothing calls addSchema) and no serializer options: the default compiler's input.
  app.setSerializerCompiler(({ schema }) =>
    deferredSerializer(() => fastJsonStringify(withNullableTypes(schema) as Parameters<typeof fastJsonStringify>[0]), pending),
  );
  app.decorate("compileAllSchemas", () => {
    for (const entry of pending) entry.compile();
    pending.clear();
  });
}
