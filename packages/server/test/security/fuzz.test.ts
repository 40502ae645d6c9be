import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { rawHttp } from "../helpers/raw-http.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/**
 * Property-based fuzzing of every route in /openapi.json: bodies drawn from each route's own
 * schema, then mutated (wrong types, unknown fields, nesting, NUL, prototype keys, broken JSON),
 * with drawn query strings, path parameters and headers. Whatever arrives: never a 5xx, always
 * JSON, every error in the envelope, and no secret in any answer. The case count is bounded so the
 * suite stays a few seconds per dialect; FUZZ_RUNS raises it for a longer hunt.
 */
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 12);

type Schema = Record<string, any>;

/** Percent-encodes any text, lone surrogates included (as their WTF-8 bytes, which no server can decode). */
function encodeAny(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return "%ED%A0%80";
  }
}

interface Operation {
  method: string;
  path: string;
  parameters: Array<{ name: string; in: string; schema?: Schema; required?: boolean }>;
  body: Schema | null;
}

function resolve(document: Schema, schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (typeof schema.$ref === "string")
    return resolve(
      document,
      schema.$ref
        .replace(/^#\//, "")
        .split("/")
        .reduce((node: any, key: string) => node?.[key], document),
    );
  return schema;
}

function operationsOf(document: Schema): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(document.paths)) {
    for (const [method, operation] of Object.entries<Schema>(item)) {
      if (!["get", "post", "patch", "put", "delete"].includes(method)) continue;
      const content = operation.requestBody?.content ?? {};
      const bodySchema = content["application/json"]?.schema ?? content["multipart/form-data"]?.schema;
      operations.push({ method: method.toUpperCase(), path, parameters: operation.parameters ?? [], body: bodySchema ? resolve(document, bodySchema) : null });
    }
  }
  return operations;
}

/** Values a string field meets in the wild: well-formed, empty, huge, NUL, Unicode oddities, markup, SQL. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\u202e\u200b",
    "K\u212a",
    "\ud800",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "null",
    "true",
    "0",
    "-1",
    "1e309",
    "__proto__",
    "x".repeat(5000),
  ),
);

function arbitraryFor(document: Schema, raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(document, raw);
  if (depth > 3) return fc.constant(null);
  if (schema.anyOf || schema.oneOf) return fc.oneof(...(schema.anyOf ?? schema.oneOf).map((option: Schema) => arbitraryFor(document, option, depth + 1)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case "string":
      return schema.format === "binary"
        ? fc.constant("not a file")
        : fc.oneof(fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 80) }), nastyString, fc.emailAddress());
    case "integer":
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1000, 2 ** 31) }),
        fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 53)),
      );
    case "number":
      return fc.double({ noNaN: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(arbitraryFor(document, schema.items, depth + 1), { maxLength: 4 });
    case "object": {
      const properties = Object.entries<Schema>(schema.properties ?? {});
      if (properties.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
      return fc.record(Object.fromEntries(properties.map(([name, property]) => [name, arbitraryFor(document, property, depth + 1)])), { requiredKeys: [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A body as text: drawn from the schema, or a mutation of one. */
function bodyTextFor(document: Schema, operation: Operation): fc.Arbitrary<string | undefined> {
  const drawn = operation.body ? arbitraryFor(document, operation.body) : fc.constant({});
  return fc.oneof(
    { weight: 5, arbitrary: drawn.map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(drawn, fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }))
        .map(([value, key, extra]) => JSON.stringify({ ...(value as object), [key || "extra"]: extra })),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.integer({ min: 30, max: 3000 }).map((depth) => `{"public_metadata":${"[".repeat(depth)}${"]".repeat(depth)}}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"admin":true}}}',
        "{",
        "",
        "[]",
        "null",
        '"text"',
        '{"a":1,}',
        "\u0000",
        '{"email":"\\ud800"}',
      ),
    },
    { weight: 1, arbitrary: drawn.map((value) => JSON.stringify(value).slice(0, -1)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

describe.each(DIALECTS)("fuzzing every route on %s", (dialect) => {
  let server: TestServer;
  let document: Schema;
  const secrets: string[] = [];
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    server = await startServer(dialect);
    document = await (await fetch(`${server.baseUrl}/openapi.json`)).json();
    const call = apiClient(server.baseUrl, server.apiKey);
    const user = await createUser(call, { username: "fuzzed_user", phone_number: "+14155550123" });
    const details = (await call("GET", `/users/${user.id}/details`)).body;
    const signIn = await frontendClient(server.baseUrl).signIn(user.primary_email_address, GOOD_PASSWORD);
    Object.assign(ids, {
      userId: user.id,
      emailId: details.primary_email_address_id,
      phoneId: details.primary_phone_number_id,
      sessionId: signIn.body.session_id,
      imageId: "img_0",
      connectionId: "soc_0",
    });
    const row = await server.db.selectFrom("users").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow();
    const sessionRow = await server.db.selectFrom("sessions").select("secret_hash").where("id", "=", signIn.body.session_id).executeTakeFirstOrThrow();
    const keyRows = await server.db.selectFrom("api_keys").select("secret_hash").execute();
    secrets.push(
      server.apiKey,
      GOOD_PASSWORD,
      row.password_hash!,
      sessionRow.secret_hash,
      signIn.body.token.split(".")[1]!,
      ...keyRows.map((key) => key.secret_hash),
    );
  });
  afterAll(async () => server?.close());

  it("covers every route the OpenAPI document lists", () => {
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThanOrEqual(25);
    expect(operations.map((operation) => `${operation.method} ${operation.path}`)).toEqual(
      expect.arrayContaining(["POST /users", "PATCH /users/{userId}", "POST /users/{userId}/emails", "GET /users"]),
    );
  });

  it("never answers 5xx, always answers JSON in the envelope, and never leaks a secret", async () => {
    const violations: string[] = [];
    for (const operation of operationsOf(document)) {
      const pathValue = (name: string) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(ids[name] ?? ids.userId!) },
          { weight: 1, arbitrary: nastyString.map((text) => encodeAny(text).slice(0, 300) || "x") },
          { weight: 1, arbitrary: fc.constantFrom("%", "%E0%A4%A", "..", "usr_" + "0".repeat(200)) },
        );
      const pathParameters = operation.parameters.filter((parameter) => parameter.in === "path");
      const queryParameters = operation.parameters.filter((parameter) => parameter.in === "query");
      const request = fc.record({
        path: fc
          .tuple(...pathParameters.map((parameter) => pathValue(parameter.name)), fc.constant(null))
          .map((values) => pathParameters.reduce((path, parameter, index) => path.replace(`{${parameter.name}}`, values[index] as string), operation.path)),
        query: fc.array(
          fc.tuple(
            fc.oneof(fc.constantFrom(...queryParameters.map((parameter) => parameter.name), "unknown"), fc.string({ maxLength: 8 })),
            fc.oneof(nastyString, fc.integer().map(String), fc.constantFrom("true", "false", "asc", "desc", "created_at")),
          ),
          { maxLength: 4 },
        ),
        body: bodyTextFor(document, operation),
        contentType: fc.constantFrom(
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "multipart/form-data",
          "application/x-www-form-urlencoded",
          undefined,
        ),
        authorization: fc.constantFrom(
          `Bearer ${server.apiKey}`,
          `Bearer ${server.apiKey}`,
          "Bearer sk_wrong",
          "Basic Zm9vOmJhcg==",
          undefined,
          `Bearer ${"x".repeat(600)}`,
        ),
        extra: fc.record(
          {
            "idempotency-key": fc.option(fc.string({ maxLength: 20 })),
            origin: fc.option(fc.constantFrom("https://evil.example", "null", server.baseUrl)),
            cookie: fc.option(nastyString.map((text) => `__session=${encodeAny(text)}`)),
          },
          { requiredKeys: [] },
        ),
      });
      await fc.assert(
        fc.asyncProperty(request, async (drawn) => {
          const query = new URLSearchParams(drawn.query).toString();
          const headers: Record<string, string> = {};
          if (drawn.contentType && drawn.body !== undefined) headers["content-type"] = drawn.contentType;
          if (drawn.authorization) headers.authorization = drawn.authorization;
          for (const [name, value] of Object.entries(drawn.extra)) if (typeof value === "string" && /^[\x20-\x7e]*$/.test(value)) headers[name] = value;
          const target = `${drawn.path}${query ? `?${query}` : ""}`;
          const answer = await rawHttp(server.baseUrl, operation.method, target, headers, drawn.body);
          const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
          const label = `${operation.method} ${target} ${JSON.stringify(headers)} ${String(drawn.body).slice(0, 200)} → ${answer.status} ${text.slice(0, 300)}`;
          if (answer.status >= 500) violations.push(`5xx: ${label}`);
          const contentType = String(answer.headers["content-type"] ?? "");
          const isPicture = operation.path.startsWith("/profile-images") && answer.status === 200;
          if (!isPicture && !contentType.startsWith("application/json")) violations.push(`not JSON: ${label}`);
          if (answer.status >= 400) {
            const body = answer.body;
            const isEnvelope =
              typeof body === "object" &&
              body !== null &&
              typeof body.message === "string" &&
              /^[a-z]+(_[a-z]+)*$/.test(body.code) &&
              "details" in body &&
              body.errors?.[0]?.code === answer.status;
            if (!isEnvelope) violations.push(`no envelope: ${label}`);
          }
          for (const secret of secrets) if (text.includes(secret)) violations.push(`secret in answer: ${label}`);
          if (/\$argon2|\$2[aby]\$|"d":"|ws1\.[0-9a-f]{8}\./.test(text)) violations.push(`secret material in answer: ${label}`);
        }),
        { numRuns: RUNS_PER_ROUTE, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
      );
    }
    expect(violations).toEqual([]);
    // The server is still serving.
    expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
  });
});
