import { Ajv } from "ajv";
import type { FastifyInstance } from "fastify";

/**
 * Bodies are JSON and validated strictly: "true" is not a boolean there. Query strings and path
 * parameters are text by nature, so they are coerced to the types their schema names.
 * (Multipart text fields are typed from the schema in body-parsers.ts before validation.)
 */
export function useValidators(app: FastifyInstance): void {
  const common = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false } as const;
  const bodies = new Ajv({ ...common, coerceTypes: false });
  const text = new Ajv({ ...common, coerceTypes: "array" });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? bodies : text).compile(schema));
}
