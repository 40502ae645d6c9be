import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, uniqueEmail, uniquePhone, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, buildPng, fileBlob, insertTestSession, uniqueTag } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/** Every route of the Backend API, as OpenAPI writes its path. */
const ROUTES: Array<[method: string, path: string]> = [
  ["get", "/users"],
  ["post", "/users"],
  ["get", "/users/{userId}/details"],
  ["patch", "/users/{userId}"],
  ["delete", "/users/{userId}"],
  ["get", "/users/{userId}/emails"],
  ["post", "/users/{userId}/emails"],
  ["patch", "/users/{userId}/emails/{emailId}"],
  ["delete", "/users/{userId}/emails/{emailId}"],
  ["post", "/users/{userId}/emails/{emailId}/make-primary"],
  ["get", "/users/{userId}/phones"],
  ["post", "/users/{userId}/phones"],
  ["patch", "/users/{userId}/phones/{phoneId}"],
  ["delete", "/users/{userId}/phones/{phoneId}"],
  ["post", "/users/{userId}/phones/{phoneId}/make-primary"],
  ["patch", "/users/{userId}/password"],
  ["delete", "/users/{userId}/password"],
  ["get", "/users/{userId}/social-connections"],
  ["post", "/users/{userId}/social-connections"],
  ["delete", "/users/{userId}/social-connections/{connectionId}"],
  ["get", "/users/{userId}/sessions"],
  ["post", "/users/{userId}/sessions/{sessionId}/revoke"],
  ["post", "/users/{userId}/sessions/revoke-all"],
  ["get", "/profile-images/{imageId}"],
];

const sortedKeys = (value: object) => Object.keys(value).sort();

describe.each(DIALECTS)("OpenAPI document on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let spec: any;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
    const response = await fetch(`${server.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    spec = await response.json();
  });
  afterAll(async () => server?.close());

  /** The schema a route documents for its 200 answer. */
  const documentedAnswer = (method: string, path: string) => spec.paths[path][method].responses["200"].content["application/json"].schema;

  /** Property names of a schema, following a $ref into components. */
  function propertyNames(schema: any): string[] {
    if (schema.$ref) return propertyNames(spec.components.schemas[schema.$ref.split("/").pop()]);
    return Object.keys(schema.properties ?? {}).sort();
  }

  it("is OpenAPI 3.1 with a bearer security scheme", () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    expect(spec.info.title).toBeTruthy();
    expect(spec.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("lists every route", () => {
    for (const [method, path] of ROUTES) {
      expect(spec.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
  });

  it("documents multipart and JSON bodies for create and update", () => {
    for (const [method, path] of [
      ["post", "/users"],
      ["patch", "/users/{userId}"],
    ] as const) {
      const content = spec.paths[path][method].requestBody.content;
      expect(Object.keys(content).sort(), `${method} ${path}`).toEqual(["application/json", "multipart/form-data"]);
    }
    // The wire protocol's fields at least (features such as password import add more).
    expect(propertyNames(spec.components.schemas.CreateUserRequest)).toEqual(
      expect.arrayContaining([
        "first_name",
        "last_name",
        "email_address",
        "phone_number",
        "username",
        "password",
        "skip_password_check",
        "public_metadata",
        "private_metadata",
        "profile_image",
      ]),
    );
    expect(propertyNames(spec.components.schemas.UpdateUserRequest)).toContain("remove_profile_image");
  });

  it("has components with exactly the property names the server returns", async () => {
    const form = new FormData();
    const fields = {
      first_name: "Open",
      last_name: "Api",
      email_address: uniqueEmail("oas"),
      phone_number: uniquePhone(),
      username: `oas_${uniqueTag()}`,
      password: GOOD_PASSWORD,
    };
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("profile_image", fileBlob(buildPng()), "me.png");
    const created = await call("POST", "/users", form);
    expect(created.status).toBe(200);
    const userId = created.body.id;
    const connection = await call("POST", `/users/${userId}/social-connections`, {
      provider: "google",
      provider_user_id: `g-${uniqueTag()}`,
      email_address: uniqueEmail(),
    });
    expect(connection.status).toBe(200);
    await insertTestSession(server.db, server.deploymentId, userId);

    const details = (await call("GET", `/users/${userId}/details`)).body;
    const page = (await call("GET", `/users?user_id=${userId}`)).body;
    const emails = (await call("GET", `/users/${userId}/emails`)).body;
    const phones = (await call("GET", `/users/${userId}/phones`)).body;
    const connections = (await call("GET", `/users/${userId}/social-connections`)).body;
    const sessions = (await call("GET", `/users/${userId}/sessions`)).body;
    const error = (await call("GET", "/users/usr_nobody/details")).body;
    expect(sessions.data).toHaveLength(1);

    const components = spec.components.schemas;
    const checks: Array<[component: string, actual: object]> = [
      ["User", created.body],
      ["User", page.data[0]],
      ["UserDetails", details],
      ["UserPage", page],
      ["UserEmail", details.email_addresses[0]],
      ["UserEmail", emails.data[0]],
      ["UserPhone", details.phone_numbers[0]],
      ["UserPhone", phones.data[0]],
      ["UserSocialConnection", connection.body],
      ["UserSocialConnection", connections.data[0]],
      ["UserSignin", sessions.data[0]],
      ["Error", error],
    ];
    for (const [name, actual] of checks) {
      expect(propertyNames(components[name]), name).toEqual(sortedKeys(actual));
      // Absent values are null, never omitted: every property is required.
      if (name !== "Error") expect([...(components[name].required ?? [])].sort(), `${name} required`).toEqual(sortedKeys(actual));
    }
  });

  it("documents the answers the routes actually give", async () => {
    const created = await call("POST", "/users", { first_name: "Doc", last_name: "Umented", email_address: uniqueEmail(), password: GOOD_PASSWORD });
    const userId = created.body.id;
    const details = (await call("GET", `/users/${userId}/details`)).body;
    const answers: Array<[method: string, path: string, actual: object]> = [
      ["post", "/users", created.body],
      ["get", "/users/{userId}/details", details],
      ["patch", "/users/{userId}", (await call("PATCH", `/users/${userId}`, { first_name: "Doc2" })).body],
      ["get", "/users", (await call("GET", "/users?limit=1")).body],
      ["post", "/users/{userId}/emails", (await call("POST", `/users/${userId}/emails`, { email: uniqueEmail() })).body],
      ["get", "/users/{userId}/emails", (await call("GET", `/users/${userId}/emails`)).body],
      ["post", "/users/{userId}/phones", (await call("POST", `/users/${userId}/phones`, { phone_number: uniquePhone() })).body],
      ["post", "/users/{userId}/sessions/revoke-all", (await call("POST", `/users/${userId}/sessions/revoke-all`)).body],
      ["patch", "/users/{userId}/password", (await call("PATCH", `/users/${userId}/password`, { new_password: GOOD_PASSWORD })).body],
    ];
    for (const [method, path, actual] of answers) {
      expect(propertyNames(documentedAnswer(method, path)), `${method.toUpperCase()} ${path}`).toEqual(sortedKeys(actual));
    }
    // Error answers are documented with the envelope.
    const notFound = spec.paths["/users/{userId}/details"].get.responses["404"].content["application/json"].schema;
    expect(propertyNames(notFound)).toEqual(sortedKeys((await call("GET", "/users/usr_nobody/details")).body));
  });
});
