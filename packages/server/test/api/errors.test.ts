import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "../../src/api-keys/api-keys.service.js";
import { apiClient, uniqueEmail, uniquePhone, uniqueUsername, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { expectEnvelope, multipart, raw } from "../helpers/envelope.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/**
 * The error envelope on every kind of failure, and hostile input: every answer below is a 4xx
 * JSON envelope, never a 5xx, never a stack trace, never a secret. Rate limits: rate-limit.test.ts.
 */

const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

describe.each(DIALECTS)("errors and hostile input on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;

  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  const createUser = async (fields: Record<string, unknown> = {}) => {
    const answer = await call("POST", "/users", { first_name: "Test", email_address: uniqueEmail("err"), skip_password_check: true, ...fields });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };

  describe("the envelope", () => {
    it("lists every failing field of a validation error in details", async () => {
      const body = expectEnvelope(await call("POST", "/users", { first_name: 42, last_name: ["x"], email_address: uniqueEmail() }), 400, "validation_failed");
      expect(body.details).toMatchObject({ first_name: expect.any(String), last_name: expect.any(String) });
      expect(body.message).toContain("first_name");
      expect(body.message).toContain("last_name");
    });

    it("answers a rule broken in the service with the field and its own code", async () => {
      const body = expectEnvelope(
        await call("POST", "/users", { first_name: "A", email_address: uniqueEmail(), password: "short" }),
        400,
        "password_too_short",
      );
      expect(body.details).toEqual({ password: expect.stringContaining("at least 8") });
    });

    it("answers 404 with a code naming what is missing", async () => {
      const body = expectEnvelope(await call("GET", "/users/usr_doesnotexist/details"), 404, "user_not_found");
      expect(body.details).toBeNull();
    });

    it("answers 409 naming the field", async () => {
      const email = uniqueEmail("dup");
      await createUser({ email_address: email });
      const body = expectEnvelope(await call("POST", "/users", { email_address: email.toUpperCase(), skip_password_check: true }), 409, "email_taken");
      expect(body.details).toEqual({ email_address: expect.any(String) });
    });

    it("answers unknown routes with JSON 404, with or without a key", async () => {
      expectEnvelope(await call("GET", "/no/such/route"), 404, "route_not_found");
      const response = await fetch(`${server.baseUrl}/nothing-here?secret=1`);
      expectEnvelope({ status: response.status, body: await response.json(), headers: response.headers }, 404, "route_not_found");
      expectEnvelope(await call("PUT", "/users"), 404, "route_not_found");
    });
  });

  describe("malformed bodies", () => {
    it("answers malformed JSON with 400 invalid_json, without echoing the body", async () => {
      const body = expectEnvelope(
        await raw(server, "POST", "/users", '{"first_name": "secret-bytes', { "content-type": "application/json" }),
        400,
        "invalid_json",
      );
      expect(JSON.stringify(body)).not.toContain("secret-bytes");
      expectEnvelope(await raw(server, "POST", "/users", "", { "content-type": "application/json" }), 400, "invalid_json");
      expectEnvelope(await raw(server, "POST", "/users", "{'single': 'quotes'}", { "content-type": "application/json" }), 400, "invalid_json");
      expectEnvelope(await raw(server, "POST", "/users", "\u0000\u0001\u0002", { "content-type": "application/json" }), 400, "invalid_json");
    });

    it("answers JSON that is not an object with 400", async () => {
      for (const text of ["null", "[]", "42", '"text"', "true", "[1,2,3]"]) {
        expectEnvelope(await raw(server, "POST", "/users", text, { "content-type": "application/json" }), 400);
      }
    });

    it("refuses prototype pollution attempts", async () => {
      const text = `{"first_name":"P","email_address":"${uniqueEmail()}","skip_password_check":true,"__proto__":{"isAdmin":true}}`;
      expectEnvelope(await raw(server, "POST", "/users", text, { "content-type": "application/json" }), 400);
      const constructor = `{"first_name":"P","skip_password_check":true,"public_metadata":{"constructor":{"prototype":{"x":1}}}}`;
      expect((await raw(server, "POST", "/users", constructor, { "content-type": "application/json" })).status).toBe(400);
    });

    it("answers wrong types with 400 naming the field", async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ email_address: 12345 }, "email_address"],
        [{ email_address: uniqueEmail(), skip_password_check: "yes" }, "skip_password_check"],
        [{ email_address: uniqueEmail(), skip_password_check: true, public_metadata: "not an object" }, "public_metadata"],
        [{ email_address: uniqueEmail(), skip_password_check: true, public_metadata: [1, 2] }, "public_metadata"],
        [{ email_address: uniqueEmail(), skip_password_check: true, username: null }, "username"],
        [{ email_address: { $ne: null }, skip_password_check: true }, "email_address"],
      ];
      for (const [body, field] of cases) {
        const answer = expectEnvelope(await call("POST", "/users", body), 400);
        expect(Object.keys(answer.details ?? {}), JSON.stringify(answer)).toContain(field);
      }
      const user = await createUser();
      const disabled = expectEnvelope(await call("PATCH", `/users/${user.id}`, { disabled: "true" }), 400);
      expect(disabled.details).toHaveProperty("disabled");
      const policy = expectEnvelope(await call("PATCH", `/users/${user.id}`, { second_factor_policy: "always" }), 400);
      expect(policy.details).toHaveProperty("second_factor_policy");
      const limit = expectEnvelope(await call("GET", "/users?limit=abc"), 400);
      expect(limit.details).toHaveProperty("limit");
      expectEnvelope(await call("GET", "/users?limit=-1"), 400);
      expectEnvelope(await call("GET", "/users?limit=100000"), 400);
      expectEnvelope(await call("GET", "/users?offset=1e400"), 400);
      expectEnvelope(await call("GET", "/users?sort_key=password_hash"), 400);
      expectEnvelope(await call("GET", "/users?sort_order=sideways"), 400);
      // Repeated or empty query parameters that take one value.
      for (const query of ["limit=1&limit=2", "sort_key=username&sort_key=email", "search=a&search=b", "limit=", "offset=-0.5", "include_expired=maybe"]) {
        const answer = await call("GET", `/users?${query}`);
        expect(answer.status, `${query}: ${JSON.stringify(answer.body)}`).toBeGreaterThanOrEqual(400);
        expectEnvelope(answer, answer.status);
      }
      expectEnvelope(await call("GET", `/users/${user.id}/sessions?include_expired=maybe`), 400);
    });

    it("answers NUL characters in text fields and query parameters with 400 on every engine", async () => {
      const body = expectEnvelope(await call("POST", "/users", { first_name: "a\u0000b", email_address: uniqueEmail(), skip_password_check: true }), 400);
      expect(body.details).toEqual({ first_name: "must not contain NUL characters" });
      expectEnvelope(await call("POST", "/users", { email_address: `nul\u0000${uniqueEmail()}`, skip_password_check: true }), 400);
      const form = new FormData();
      form.append("email_address", uniqueEmail());
      form.append("skip_password_check", "true");
      form.append("last_name", "x\u0000");
      expect(expectEnvelope(await call("POST", "/users", form), 400).details).toHaveProperty("last_name");
      for (const query of [
        "search=%00",
        "search=ab%00cd",
        "email_address=a%00b%40example.com",
        "user_id=usr%00",
        "username=ab%00cd",
        "email_address=a%40b.co&email_address=%00",
      ]) {
        expectEnvelope(await call("GET", `/users?${query}`), 400);
      }
      // Every route, also those outside the Backend API (the frontend API's sign-in), answers 4xx.
      const signIn = await fetch(`${server.baseUrl}/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: "a\u0000b@example.com", password: "whatever" }),
      });
      expect(signIn.status).toBeGreaterThanOrEqual(400);
      expect(signIn.status).toBeLessThan(500);
      // Metadata is stored as JSON, where U+0000 is escaped: it is kept as sent.
      const user = await createUser({ public_metadata: { "k\u0000": "v\u0000" } });
      expect((await call("GET", `/users/${user.id}/details`)).body.public_metadata).toEqual({ "k\u0000": "v\u0000" });
    });

    it("answers unknown fields with 400 naming each of them", async () => {
      const body = expectEnvelope(
        await call("POST", "/users", {
          first_name: "U",
          email_address: uniqueEmail(),
          skip_password_check: true,
          is_admin: true,
          password_hash: "$argon2id$x",
        }),
        400,
        "validation_failed",
      );
      expect(body.details).toMatchObject({ is_admin: "is not a known field", password_hash: "is not a known field" });
      const user = await createUser();
      const patch = expectEnvelope(await call("PATCH", `/users/${user.id}`, { deployment_id: "dep_other" }), 400);
      expect(patch.details).toEqual({ deployment_id: "is not a known field" });
      const email = expectEnvelope(await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail(), user_id: "usr_other" }), 400);
      expect(email.details).toEqual({ user_id: "is not a known field" });
      const query = expectEnvelope(await call("GET", "/users?drop=table"), 400);
      expect(query.details).toHaveProperty("drop");
    });

    it("answers unsupported content types with 415", async () => {
      const json = JSON.stringify({ first_name: "T", email_address: uniqueEmail(), skip_password_check: true });
      expectEnvelope(await raw(server, "POST", "/users", json, { "content-type": "text/plain" }), 415, "unsupported_media_type");
      expectEnvelope(
        await raw(server, "POST", "/users", "<user><first_name>T</first_name></user>", { "content-type": "application/xml" }),
        415,
        "unsupported_media_type",
      );
      expectEnvelope(
        await raw(server, "POST", "/users", "first_name=T", { "content-type": "application/x-www-form-urlencoded" }),
        415,
        "unsupported_media_type",
      );
      const user = await createUser();
      expectEnvelope(await raw(server, "POST", `/users/${user.id}/emails`, json, { "content-type": "text/plain" }), 415, "unsupported_media_type");
    });

    it("answers a body over 4 MiB with 413", async () => {
      const big = JSON.stringify({ first_name: "x".repeat(5 * 1024 * 1024), skip_password_check: true });
      expectEnvelope(await raw(server, "POST", "/users", big, { "content-type": "application/json" }), 413, "payload_too_large");
      // Without a Content-Length (chunked), the limit is counted while reading.
      const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode('{"first_name":"'));
          if (sent++ < 6) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const response = await fetch(`${server.baseUrl}/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit).catch((error: Error) => error);
      // The server may answer before the upload ends and close the connection; either way it never accepts the body.
      if (response instanceof Response)
        expectEnvelope({ status: response.status, body: await response.json(), headers: response.headers }, 413, "payload_too_large");
      // A multipart body carrying a file over the image limit is refused too.
      const form = new FormData();
      form.append("email_address", uniqueEmail());
      form.append("skip_password_check", "true");
      form.append("profile_image", new Blob([PNG, Buffer.alloc(5 * 1024 * 1024)], { type: "image/png" }), "huge.png");
      expect(expectEnvelope(await call("POST", "/users", form), 413).code).toMatch(/too_large/);
      // The server is still fine afterwards.
      expect((await call("GET", "/users?limit=1")).status).toBe(200);
    });

    it("answers deeply nested metadata with 4xx, and the server keeps serving", async () => {
      const user = await createUser();
      const depth = 10_000;
      const nested = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
      const text = `{"public_metadata":${nested}}`;
      const answer = await raw(server, "PATCH", `/users/${user.id}`, text, { "content-type": "application/json" });
      expectEnvelope(answer, 400);
      const arrays = `{"private_metadata":{"x":${"[".repeat(depth)}${"]".repeat(depth)}}}`;
      expectEnvelope(await raw(server, "PATCH", `/users/${user.id}`, arrays, { "content-type": "application/json" }), 400);
      // Also when the request carries an Idempotency-Key (its fingerprint serializes the body).
      expectEnvelope(await raw(server, "PATCH", `/users/${user.id}`, text, { "content-type": "application/json", "idempotency-key": "deep-1" }), 400);
      expectEnvelope(
        await raw(server, "POST", "/users", `{"skip_password_check":true,"email_address":"${uniqueEmail()}","private_metadata":${nested}}`, {
          "content-type": "application/json",
        }),
        400,
      );
      // Nothing was half-written.
      const details = await call("GET", `/users/${user.id}/details`);
      expect(details.body.public_metadata).toEqual({});
      expect(details.body.private_metadata).toEqual({});
      // Nesting a real application would use is kept as sent.
      const reasonable = JSON.parse(`${'{"a":'.repeat(20)}1${"}".repeat(20)}`);
      const stored = await call("PATCH", `/users/${user.id}`, { public_metadata: reasonable });
      expect(stored.status).toBe(200);
      expect(stored.body.public_metadata).toEqual(reasonable);
    });

    it("answers deeply nested metadata sent as multipart text with 4xx", async () => {
      const user = await createUser();
      const depth = 10_000;
      const form = new FormData();
      form.append("public_metadata", `${"[".repeat(depth)}${"]".repeat(depth)}`);
      expectEnvelope(await call("PATCH", `/users/${user.id}`, form), 400);
      const objects = new FormData();
      objects.append("public_metadata", `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
      expectEnvelope(await call("PATCH", `/users/${user.id}`, objects), 400);
    });

    it("answers huge arrays with 4xx", async () => {
      const user = await createUser();
      const huge = { public_metadata: { list: new Array(500_000).fill(0) } };
      // Over the users routes' body limit (256 KiB): refused by size before parsing.
      expectEnvelope(await call("PATCH", `/users/${user.id}`, huge), 413, "payload_too_large");
      expectEnvelope(await call("POST", "/users", JSON.stringify(new Array(500_000).fill(0))), 413, "payload_too_large");
      // Within it, refused by the metadata rules.
      expectEnvelope(await call("PATCH", `/users/${user.id}`, { public_metadata: { list: new Array(50_000).fill(0) } }), 400);
      const manyEmails = Array.from({ length: 200 }, (_, i) => `email_address=${i}%40example.com`).join("&");
      expectEnvelope(await call("GET", `/users?${manyEmails}`), 400);
    });
  });

  describe("malformed multipart", () => {
    it("answers a multipart body without a boundary with 400", async () => {
      const body = multipart("abc", [{ name: "first_name", value: "M" }]);
      expectEnvelope(await raw(server, "POST", "/users", body, { "content-type": "multipart/form-data" }), 400);
    });

    it("answers a body whose boundary does not match its header with 400", async () => {
      const body = multipart("the-real-boundary", [
        { name: "email_address", value: uniqueEmail() },
        { name: "skip_password_check", value: "true" },
      ]);
      const answer = await raw(server, "POST", "/users", body, { "content-type": "multipart/form-data; boundary=another-boundary" });
      expectEnvelope(answer, 400);
    });

    it("answers a boundary longer than multipart allows with 400", async () => {
      const boundary = "b".repeat(300);
      const body = multipart(boundary, [{ name: "email_address", value: uniqueEmail() }]);
      expectEnvelope(await raw(server, "POST", "/users", body, { "content-type": `multipart/form-data; boundary=${boundary}` }), 400);
    });

    it("answers a truncated multipart body with 400", async () => {
      const email = uniqueEmail("trunc");
      const full = multipart("b0undary", [
        { name: "email_address", value: email },
        { name: "skip_password_check", value: "true" },
        { name: "profile_image", value: PNG, filename: "a.png", type: "image/png" },
      ]);
      const truncated = full.subarray(0, full.length - 40);
      expectEnvelope(await raw(server, "POST", "/users", truncated, { "content-type": "multipart/form-data; boundary=b0undary" }), 400);
      const unclosed = multipart(
        "b0undary",
        [
          { name: "email_address", value: email },
          { name: "skip_password_check", value: "true" },
        ],
        false,
      );
      expectEnvelope(await raw(server, "POST", "/users", unclosed, { "content-type": "multipart/form-data; boundary=b0undary" }), 400);
      // No user was created from either half-read body.
      expect((await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.total).toBe(0);
    });

    it("answers a file sent in a text field with 400 naming the field", async () => {
      const form = new FormData();
      form.append("email_address", uniqueEmail());
      form.append("skip_password_check", "true");
      form.append("first_name", new Blob(["not text"], { type: "text/plain" }), "name.txt");
      const body = expectEnvelope(await call("POST", "/users", form), 400);
      expect(body.details).toHaveProperty("first_name");
    });

    it("answers text sent in the file field with 400 naming the field", async () => {
      const form = new FormData();
      form.append("email_address", uniqueEmail());
      form.append("skip_password_check", "true");
      form.append("profile_image", "just some text");
      const body = expectEnvelope(await call("POST", "/users", form), 400);
      expect(body.details).toHaveProperty("profile_image");
    });

    it("answers a file that is not an image with 400, and an unknown file field with 400", async () => {
      const notImage = new FormData();
      notImage.append("email_address", uniqueEmail());
      notImage.append("skip_password_check", "true");
      notImage.append("profile_image", new Blob(["<script>alert(1)</script>"], { type: "image/png" }), "evil.png");
      expectEnvelope(await call("POST", "/users", notImage), 400, "profile_image_invalid");
      const unknown = new FormData();
      unknown.append("email_address", uniqueEmail());
      unknown.append("skip_password_check", "true");
      unknown.append("attachment", new Blob([PNG], { type: "image/png" }), "a.png");
      const body = expectEnvelope(await call("POST", "/users", unknown), 400);
      expect(body.details).toHaveProperty("attachment");
    });

    it("answers repeated text fields and invalid booleans with 400", async () => {
      const repeated = new FormData();
      repeated.append("email_address", uniqueEmail());
      repeated.append("email_address", uniqueEmail());
      repeated.append("skip_password_check", "true");
      expect(expectEnvelope(await call("POST", "/users", repeated), 400).details).toHaveProperty("email_address");
      const boolean = new FormData();
      boolean.append("email_address", uniqueEmail());
      boolean.append("skip_password_check", "maybe");
      expect(expectEnvelope(await call("POST", "/users", boolean), 400).details).toHaveProperty("skip_password_check");
      const metadata = new FormData();
      metadata.append("email_address", uniqueEmail());
      metadata.append("skip_password_check", "true");
      metadata.append("public_metadata", "{not json");
      expect(expectEnvelope(await call("POST", "/users", metadata), 400).details).toHaveProperty("public_metadata");
    });

    it("answers multipart on a JSON-only route with 415", async () => {
      const user = await createUser();
      const form = new FormData();
      form.append("email", uniqueEmail());
      expectEnvelope(await call("POST", `/users/${user.id}/emails`, form), 415, "unsupported_media_type");
    });
  });

  describe("bad ids", () => {
    const hostileIds: Array<[label: string, id: string]> = [
      ["encoded ../", "..%2F..%2Fhealth"],
      ["encoded dots", "%2E%2E%2Fapi-keys"],
      ["5000 characters", "a".repeat(5000)],
      ["an emoji", "%F0%9F%92%A5"],
      ["non-ASCII letters", "%C3%BCser"],
      ["SQL", "'%20OR%201%3D1%20--"],
      ["a statement", "usr_1%27%3B%20DROP%20TABLE%20users%3B--"],
      ["a NUL byte", "%00"],
      ["a bare %", "%25"],
      ["bad percent-encoding", "%zz"],
    ];

    it.each(hostileIds)("answers an id with %s with 400 or 404", async (_label, id) => {
      const user = await createUser();
      for (const path of [
        `/users/${id}/details`,
        `/users/${id}`,
        `/users/${user.id}/emails/${id}`,
        `/users/${user.id}/phones/${id}/make-primary`,
        `/users/${user.id}/sessions/${id}/revoke`,
        `/profile-images/${id}`,
      ]) {
        const method = path.endsWith("make-primary") || path.endsWith("revoke") ? "POST" : "GET";
        const answer = await call(method, path);
        expect([400, 404], `${method} ${path.slice(0, 80)} → ${answer.status}`).toContain(answer.status);
        expectEnvelope(answer, answer.status);
      }
      const deleted = await call("DELETE", `/users/${id}`);
      expect([400, 404]).toContain(deleted.status);
      // The user is untouched and the table still exists.
      expect((await call("GET", `/users/${user.id}/details`)).status).toBe(200);
    });
  });

  describe("search with hostile strings", () => {
    const needles = [
      '"',
      "*",
      "NEAR(",
      "OR",
      "%",
      "_",
      "\\",
      "' OR 1=1 --",
      'a"b',
      "x%y_z\\",
      "NEAR(a b)",
      "foo*",
      "-",
      "^",
      "()",
      "AND NOT",
      "'; DROP TABLE users; --",
    ];

    it.each(needles)("finds exactly the users containing %s, literally", async (needle) => {
      const marker = uniqueUsername("srch").replace(/_/g, "");
      const holder = await createUser({ first_name: `${marker}${needle}end`, username: `${marker}holder` });
      const other = await createUser({ first_name: `${marker}plain`, username: `${marker}other` });
      const list = await call("GET", `/users?limit=500&search=${encodeURIComponent(`${marker}${needle}`)}`);
      expect(list.status, JSON.stringify(list.body)).toBe(200);
      expect(list.body.data.map((user: { id: string }) => user.id)).toEqual([holder.id]);
      expect(list.body.total).toBe(1);
      // Alone, the needle matches only text that contains it (or, for the short ones, nothing wrong).
      const alone = await call("GET", `/users?limit=500&search=${encodeURIComponent(needle)}`);
      expect(alone.status).toBe(200);
      const ids = alone.body.data.map((user: { id: string }) => user.id);
      expect(ids).toContain(holder.id);
      expect(ids).not.toContain(other.id);
    });

    it("treats % and _ as literal characters, not wildcards", async () => {
      const marker = uniqueUsername("lit").replace(/_/g, "");
      const user = await createUser({ first_name: `${marker}abc` });
      for (const needle of [`${marker}%`, `${marker}_bc`, `${marker}a_c`, `${marker}\\`]) {
        const list = await call("GET", `/users?search=${encodeURIComponent(needle)}`);
        expect(list.status).toBe(200);
        expect(
          list.body.data.map((u: { id: string }) => u.id),
          needle,
        ).not.toContain(user.id);
      }
    });

    it("answers a search that is too long with 400", async () => {
      expectEnvelope(await call("GET", `/users?search=${"x".repeat(300)}`), 400);
    });
  });

  describe("authentication", () => {
    it("answers a missing header, a wrong scheme and an unknown key with 401 at once", async () => {
      const cases: Array<[Record<string, string>, string]> = [
        [{}, "unauthenticated"],
        [{ authorization: "" }, "unauthenticated"],
        [{ authorization: "Bearer" }, "unauthenticated"],
        [{ authorization: `Basic ${Buffer.from(`user:${server.apiKey}`).toString("base64")}` }, "unauthenticated"],
        [{ authorization: `Token ${server.apiKey}` }, "unauthenticated"],
        [{ authorization: server.apiKey }, "unauthenticated"],
        [{ authorization: `Bearer ${server.apiKey} extra` }, "unauthenticated"],
        [{ authorization: `Bearer ${"k".repeat(10_000)}` }, "unauthenticated"],
        [{ authorization: "Bearer sk_unknownunknownunknownunknownunknownunkn" }, "invalid_api_key"],
        [{ authorization: `Bearer ${server.apiKey}x` }, "invalid_api_key"],
        [{ authorization: `Bearer ${server.apiKey.slice(0, -1)}` }, "invalid_api_key"],
      ];
      for (const [headers, code] of cases) {
        const response = await fetch(`${server.baseUrl}/users`, { headers });
        const body = expectEnvelope({ status: response.status, body: await response.json(), headers: response.headers }, 401, code);
        expect(JSON.stringify(body)).not.toContain(server.apiKey);
      }
    });

    it("checks the key before reading the body", async () => {
      const response = await fetch(`${server.baseUrl}/users`, { method: "POST", headers: { "content-type": "application/json" }, body: "{broken" });
      expectEnvelope({ status: response.status, body: await response.json(), headers: response.headers }, 401, "unauthenticated");
    });

    it("answers a revoked key with 401 at once", async () => {
      const { apiKey, secret } = await createApiKey(server.db, server.deploymentId, "to revoke");
      const withKey = apiClient(server.baseUrl, secret);
      expect((await withKey("GET", "/users?limit=1")).status).toBe(200);
      await revokeApiKey(server.db, apiKey.id);
      const body = expectEnvelope(await withKey("GET", "/users?limit=1"), 401, "invalid_api_key");
      expect(JSON.stringify(body)).not.toContain(secret);
      expectEnvelope(await withKey("POST", "/users", { email_address: uniqueEmail(), skip_password_check: true }), 401, "invalid_api_key");
      // The server's own key still works.
      expect((await call("GET", "/users?limit=1")).status).toBe(200);
    });
  });

  describe("secrets", () => {
    it("never returns a password, its hash or an API key", async () => {
      const password = "correct horse battery staple 93!";
      const created = await call("POST", "/users", { first_name: "S", email_address: uniqueEmail("secret"), username: uniqueUsername("sec"), password });
      expect(created.status).toBe(200);
      const userId = created.body.id;
      await call("PATCH", `/users/${userId}/password`, { new_password: `${password}-new` });
      const phone = await call("POST", `/users/${userId}/phones`, { phone_number: uniquePhone(), verified: true });
      expect(phone.status).toBe(200);
      const answers = [
        created,
        await call("GET", `/users/${userId}/details`),
        await call("GET", `/users/${userId}`),
        await call("GET", `/users?user_id=${userId}`),
        await call("GET", `/users?search=${encodeURIComponent("S")}`),
        await call("PATCH", `/users/${userId}`, { first_name: "S2" }),
        await call("GET", `/users/${userId}/sessions?include_expired=true`),
        await call("PATCH", `/users/${userId}/password`, { new_password: "short" }),
        await call("POST", "/users", { first_name: "S", email_address: uniqueEmail(), password: "password" }),
        await call("GET", "/openapi.json"),
      ];
      for (const answer of answers) {
        const text = JSON.stringify(answer.body);
        expect(text).not.toContain(password);
        expect(text).not.toContain(server.apiKey);
        // Hash formats (PHC argon2, bcrypt) and the names of the columns that hold secrets.
        expect(text.match(/\$argon2(id|i|d)\$|\$2[aby]\$\d|"(password_hash|secret_hash|lookup_hash)"/)?.[0]).toBeUndefined();
        expect(answer.status).toBeLessThan(500);
      }
      const details = answers[1]!.body;
      expect(details.has_password).toBe(true);
    });
  });
});
