import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRealServer, type RealServer } from "./helpers/real-server.js";

/*
 * Our TypeScript types against the server's OpenAPI document: the property names
 * of each type must equal those of its component schema. The names are read from
 * the source with the TypeScript compiler, so there is no second list to keep.
 */

const SOURCES = [
  "../src/resources/users.types.ts",
  "../src/resources/second-factors.types.ts",
  "../src/resources/webhooks.types.ts",
  "../src/resources/audit-logs.types.ts",
  "../src/resources/import.ts",
  "../src/core/pagination.ts",
].map((file) => fileURLToPath(new URL(file, import.meta.url)));

/** Our type → the server's component schema. */
const COMPONENTS: Record<string, string> = {
  User: "User",
  UserDetails: "UserDetails",
  UserEmail: "UserEmail",
  UserPhone: "UserPhone",
  UserSocialConnection: "UserSocialConnection",
  UserSignin: "UserSignin",
  PaginatedResponse: "UserPage",
  CreateUserRequest: "CreateUserRequest",
  UpdateUserRequest: "UpdateUserRequest",
  UpdatePasswordRequest: "UpdatePasswordRequest",
  AddEmailRequest: "AddEmailRequest",
  UpdateEmailRequest: "UpdateEmailRequest",
  AddPhoneRequest: "AddPhoneRequest",
  UpdatePhoneRequest: "UpdatePhoneRequest",
  LinkSocialConnectionRequest: "LinkSocialConnectionRequest",
  ImportUser: "ImportUser",
  ImportUsersResponse: "ImportUsersResponse",
};

/** Components of routes other branches are building: compared once the server's document has them, skipped before. */
const LATER_COMPONENTS: Record<string, string> = {
  UserPasskey: "UserPasskey",
  CreateAuthenticatorRequest: "CreateAuthenticatorRequest",
  CreateAuthenticatorResponse: "CreateAuthenticatorResponse",
  RegeneratedBackupCodesResponse: "RegeneratedBackupCodesResponse",
  VerifyTotpRequest: "VerifyTotpRequest",
  VerifyTotpResponse: "VerifyTotpResponse",
  WebhookApp: "WebhookApp",
  WebhookEndpoint: "WebhookEndpoint",
  WebhookDelivery: "WebhookDelivery",
  WebhookDeliveryDetails: "WebhookDeliveryDetails",
  AuditLogEntry: "AuditLogEntry",
};

/**
 * Fields our types carry before the server's document does, because the branch serving them
 * (second factors, cursor pagination) has not landed yet. Each is tolerated only while the server
 * lacks it: once the server has it, the comparison includes it like any other.
 */
const PENDING_ON_SERVER: Record<string, string[]> = {
  UserDetails: ["totp_enabled", "passkeys_count"],
  UserSignin: ["sign_in_method"],
  ListUsersOptions: ["starting_after", "ending_before"],
};

function ours(typeName: string, serverNames: string[]): string[] | undefined {
  const pending = (PENDING_ON_SERVER[typeName] ?? []).filter((name) => !serverNames.includes(name));
  return typeProperties.get(typeName)?.filter((name) => !pending.includes(name));
}

/** Our option types → the query parameters of an operation. */
const QUERIES: Record<string, [path: string, method: string]> = {
  ListUsersOptions: ["/users", "get"],
  ListUserSigninsOptions: ["/users/{userId}/sessions", "get"],
};

type Schema = { $ref?: string; properties?: Record<string, unknown>; allOf?: Schema[] };
type OpenApi = {
  components: { schemas: Record<string, Schema> };
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
};

let server: RealServer;
let document: OpenApi;
let typeProperties: Map<string, string[]>;

beforeAll(async () => {
  server = await startRealServer();
  const response = await fetch(`${server.baseUrl}/openapi.json`, { headers: { authorization: `Bearer ${server.apiKey}` } });
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenApi;
  typeProperties = readTypeProperties();
}, 60_000);
afterAll(() => server?.close());

function readTypeProperties(): Map<string, string[]> {
  const program = ts.createProgram(SOURCES, { strict: true, noEmit: true, types: [], lib: ["lib.es2022.d.ts", "lib.dom.d.ts"] });
  const checker = program.getTypeChecker();
  const result = new Map<string, string[]>();
  for (const file of SOURCES) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
    for (const symbol of checker.getExportsOfModule(module)) {
      if (!(symbol.flags & ts.SymbolFlags.Interface)) continue;
      const properties = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol));
      result.set(symbol.name, properties.map((property) => property.name).sort());
    }
  }
  return result;
}

/** Property names of a schema, following $ref and allOf as the server may compose them. */
function schemaProperties(schema: Schema): string[] {
  if (schema.$ref) return schemaProperties(document.components.schemas[schema.$ref.split("/").pop()!]!);
  const own = Object.keys(schema.properties ?? {});
  const inherited = (schema.allOf ?? []).flatMap(schemaProperties);
  return [...new Set([...own, ...inherited])].sort();
}

describe("types match the server's OpenAPI document", () => {
  it.each(Object.entries(COMPONENTS))("%s has the properties of schema %s", (typeName, schemaName) => {
    const schema = document.components.schemas[schemaName];
    expect(schema, `component schema ${schemaName}`).toBeDefined();
    const serverNames = schemaProperties(schema!);
    expect(ours(typeName, serverNames)).toEqual(serverNames);
  });

  it.for(Object.entries(LATER_COMPONENTS))("%s has the properties of schema %s, once the server has it", ([typeName, schemaName], context) => {
    const schema = document.components.schemas[schemaName];
    if (!schema) return context.skip();
    expect(ours(typeName, schemaProperties(schema))).toEqual(schemaProperties(schema));
  });

  it.each(Object.entries(QUERIES))("%s has the query parameters of %s", (typeName, [path, method]) => {
    const operation = document.paths[path]?.[method];
    expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
    const parameters = (operation!.parameters ?? []).filter((parameter) => parameter.in === "query").map((parameter) => parameter.name);
    expect(ours(typeName, parameters)).toEqual(parameters.sort());
  });
});
