import fastJsonStringify from "fast-json-stringify";
import { describe, expect, it } from "vitest";
import { withNullableTypes } from "../../src/http/validation.js";
import { UserDetailsSchema } from "../../src/users/users.schemas.js";
import { uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { useServer } from "../helpers/use-server.js";

/**
 * Validators and response serializers are compiled on a route's first request (http/validation.ts),
 * not at start. The first request of a route must answer as any later one does (its validation
 * errors name the field, its answer has the schema's shape), and every schema must compile.
 */
describe.each(DIALECTS)("schemas compiled on first use on %s", (dialect) => {
  const server = useServer(dialect);

  it("refuses a bad body on a route's first request, naming the field, and again on the next", async () => {
    const answers = [];
    for (let attempt = 0; attempt < 2; attempt++) answers.push(await server.call("PATCH", "/users/usr_doesnotexist", { first_name: 42 }));
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain("first_name");
    }
    expect(answers[1]!.body).toEqual(answers[0]!.body);
  });

  it("serializes a route's first answer with its response schema, as every later one", async () => {
    const created = await server.call("POST", "/users", { first_name: "Ada", email_address: uniqueEmail("ada"), skip_password_check: true });
    expect(created.status).toBe(200);
    const first = await server.call("GET", `/users/${created.body.id}/details`);
    const second = await server.call("GET", `/users/${created.body.id}/details`);
    expect(first.status).toBe(200);
    expect(first.body).toEqual(second.body);
    expect(first.body.id).toBe(created.body.id);
    expect(first.body.email_addresses).toHaveLength(1);
    expect(first.body).not.toHaveProperty("password_hash");
  });

  it("compiles every route's remaining validators and serializers without an error", () => {
    expect(() => server.app.compileAllSchemas()).not.toThrow();
  });
});

describe("response serializers with nullable types (withNullableTypes)", () => {
  const server = useServer("sqlite");
  const original = fastJsonStringify(UserDetailsSchema as Parameters<typeof fastJsonStringify>[0]);
  const rewritten = fastJsonStringify(withNullableTypes(UserDetailsSchema) as Parameters<typeof fastJsonStringify>[0]);

  it("writes exactly what the anyOf schema writes, for nulls and values alike", async () => {
    const created = await server.call("POST", "/users", { first_name: "Ada", email_address: uniqueEmail("nullable"), skip_password_check: true });
    const details = (await server.call("GET", `/users/${created.body.id}/details`)).body;
    expect(details.last_sign_in_at).toBeNull();
    for (const overrides of [
      {},
      { username: "ada_1", last_sign_in_at: "2026-12-01T10:00:00.000Z", external_id: "ext-1" },
      { last_password_reset_at: "2026-11-30T00:00:00.000Z", lockout_expires_at: "2026-12-02T00:00:00.000Z", primary_phone_number: "+15555550100" },
    ]) {
      const document = { ...details, ...overrides };
      expect(rewritten(document)).toBe(original(document));
      expect(JSON.parse(rewritten(document))).toEqual(document);
    }
  });

  it("turns only [scalar, null] unions into type lists and leaves the schema it was given unchanged", () => {
    const schema = {
      type: "object",
      properties: { at: { anyOf: [{ type: "string", format: "date-time" }, { type: "null" }] }, both: { anyOf: [{ type: "string" }, { type: "integer" }] } },
    };
    const before = JSON.stringify(schema);
    expect(withNullableTypes(schema)).toEqual({
      type: "object",
      properties: { at: { type: ["string", "null"], format: "date-time" }, both: { anyOf: [{ type: "string" }, { type: "integer" }] } },
    });
    expect(JSON.stringify(schema)).toBe(before);
  });
});
