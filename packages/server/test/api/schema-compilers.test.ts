import { describe, expect, it } from "vitest";
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
