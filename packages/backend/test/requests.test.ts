import { afterEach, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  AuthorizationError,
  ConflictError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ValidationError,
  WachtClient,
  WachtError,
} from "../src/index.js";
import { errorEnvelope, sendJson, startLocalServer, type Handler, type LocalServer } from "./helpers/local-server.js";

let server: LocalServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(handler: Handler, baseUrlSuffix = ""): Promise<WachtClient> {
  server = await startLocalServer(handler);
  return new WachtClient({ apiKey: "wk_test", baseUrl: server.baseUrl + baseUrlSuffix, maxRetries: 0, headers: { "x-app": "tests" } });
}

const answerEmpty: Handler = (_request, response) => sendJson(response, 200, {});
const lastRequest = () => server!.requests.at(-1)!;

describe("what goes on the wire", () => {
  it("sends the key, the client's headers and a JSON body", async () => {
    const client = await clientFor(answerEmpty);
    await client.users.addEmail("usr_1", { email: "a@example.com", verified: true }, { headers: { "x-call": "1" } });
    const request = lastRequest();
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/users/usr_1/emails");
    expect(request.headers).toMatchObject({ authorization: "Bearer wk_test", "content-type": "application/json", "x-app": "tests", "x-call": "1" });
    expect(JSON.parse(request.body)).toEqual({ email: "a@example.com", verified: true });
  });

  it("sends no body and no content-type for make-primary", async () => {
    const client = await clientFor(answerEmpty);
    await client.users.makePhonePrimary("usr_1", "phn_1");
    expect(lastRequest()).toMatchObject({ method: "POST", url: "/users/usr_1/phones/phn_1/make-primary", body: "" });
    expect(lastRequest().headers["content-type"]).toBeUndefined();
  });

  it("encodes ids so they cannot change the route", async () => {
    const client = await clientFor(answerEmpty);
    await client.users.getUser("usr_1/../../admin");
    expect(lastRequest().url).toBe("/users/usr_1%2F..%2F..%2Fadmin/details");
    await expect(client.users.getUser("..")).rejects.toMatchObject({ code: "invalid_path_parameter" });
  });

  it("builds the list query, including repeated exact filters", async () => {
    const client = await clientFor((_request, response) => sendJson(response, 200, { data: [], total: 0, has_more: false, limit: 5, offset: 0 }));
    await client.users.listUsers({ limit: 5, offset: 0, sort_key: "email", sort_order: "asc", search: "a b", email_address: ["a@x.io", "b@x.io"] });
    expect(lastRequest().url).toBe("/users?limit=5&offset=0&sort_key=email&sort_order=asc&search=a+b&email_address=a%40x.io&email_address=b%40x.io");
    await client.users.listUsers();
    expect(lastRequest().url).toBe("/users");
  });

  it("asks for expired sign-ins only when told to", async () => {
    const client = await clientFor((_request, response) => sendJson(response, 200, { data: [{ id: "sig_1" }], has_more: false }));
    await expect(client.users.listSignins("usr_1")).resolves.toEqual([{ id: "sig_1" }]);
    expect(lastRequest().url).toBe("/users/usr_1/sessions");
    await client.users.listSignins("usr_1", { include_expired: true });
    expect(lastRequest().url).toBe("/users/usr_1/sessions?include_expired=true");
  });

  it("sends multipart when a profile image is attached", async () => {
    const client = await clientFor(answerEmpty);
    const image = new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" });
    await client.users.updateUser("usr_1", { first_name: "Alicia", disabled: false, public_metadata: { a: 1 }, profile_image: image });
    const request = lastRequest();
    expect(request.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(request.body).toContain('name="first_name"\r\n\r\nAlicia');
    expect(request.body).toContain('name="disabled"\r\n\r\nfalse');
    expect(request.body).toContain('name="public_metadata"\r\n\r\n{"a":1}');
    expect(request.body).toContain('name="profile_image"; filename="profile_image"');
  });

  it("keeps a path prefix of baseUrl", async () => {
    const client = await clientFor(answerEmpty, "/wacht/");
    await client.users.deleteUser("usr_1");
    expect(lastRequest().url).toBe("/wacht/users/usr_1");
  });
});

describe("errors from the answer", () => {
  it.each([
    [400, ValidationError],
    [401, AuthenticationError],
    [403, AuthorizationError],
    [404, NotFoundError],
    [409, ConflictError],
    [429, RateLimitError],
    [500, ServerError],
    [502, ServerError],
    [504, ServerError],
    [418, WachtError],
  ])("maps %i to %o with the server's message, code, details and request id", async (status, errorClass) => {
    const details = { field: "email" };
    const client = await clientFor((_request, response) => sendJson(response, status, errorEnvelope(status, `failed with ${status}`, "some_code", details)));
    const error = await client.users.getUser("usr_1").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ statusCode: status, message: `failed with ${status}`, code: "some_code", details, requestId: "req_local" });
  });

  it("reads the reference servers' errors[0].message", async () => {
    const client = await clientFor((_request, response) => sendJson(response, 404, { errors: [{ message: "User not found", code: 404 }] }));
    await expect(client.users.getUser("usr_1")).rejects.toMatchObject({ name: "NotFoundError", message: "User not found" });
  });

  it("keeps the status of a non-JSON error body", async () => {
    const client = await clientFor((_request, response) => {
      response.writeHead(502, { "content-type": "text/html" });
      response.end("<html>Bad gateway</html>");
    });
    const error = await client.users.listUsers().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ statusCode: 502, message: "<html>Bad gateway</html>" });
  });

  it("names the status when the error body is empty", async () => {
    const client = await clientFor((_request, response) => {
      response.writeHead(403);
      response.end();
    });
    await expect(client.users.listUsers()).rejects.toMatchObject({ name: "AuthorizationError", message: "Request failed with status 403" });
  });
});
