import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  PayloadTooLargeError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
  Users,
  WachtAuthError,
  WachtClient,
  WachtConnectionError,
  WachtError,
  WachtTimeoutError,
  exchangeSessionForAuthToken,
  users,
  verifyAuthToken,
  type PaginatedResponse,
  type User,
} from "../src/index.js";
import { errorEnvelope, sendJson, startLocalServer, type Handler, type LocalServer } from "./helpers/local-server.js";

/*
 * Issue 15, SDK half: every call goes through core/ (timeout, injected fetch, error mapping), the
 * error table has 413/415/422, and the module style is derived from the resource classes.
 * A node:http server on 127.0.0.1 plays the server.
 */

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler): Promise<LocalServer> {
  server = await startLocalServer(handler);
  return server;
}

const publishableKeyFor = (url: string) => `pk_test_${Buffer.from(url).toString("base64")}`;
const user = (id: string): User => ({
  id,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
  first_name: "A",
  last_name: "B",
  username: null,
  profile_picture_url: null,
  primary_email_address: null,
  primary_phone_number: null,
  external_id: null,
});

describe("the status → class table", () => {
  it.each([
    [413, PayloadTooLargeError, "payload_too_large"],
    [415, UnsupportedMediaTypeError, "unsupported_media_type"],
    [422, UnprocessableEntityError, "password_incorrect"],
  ] as const)("maps %i to its class, keeping code, details and request id", async (status, errorClass, code) => {
    const local = await serve((_request, response) => sendJson(response, status, errorEnvelope(status, "refused", code, { field: "rule" })));
    const client = new WachtClient({ apiKey: "wk_test", baseUrl: local.baseUrl, maxRetries: 0 });
    const error = await client.users.getUser("usr_1").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toBeInstanceOf(WachtError);
    expect(error).toMatchObject({ name: errorClass.name, statusCode: status, code, message: "refused", details: { field: "rule" }, requestId: "req_local" });
  });
});

describe("WachtAuthError", () => {
  it("is a WachtError with the status in both names", () => {
    const error = new WachtAuthError("forbidden", 403, "Forbidden");
    expect(error).toBeInstanceOf(WachtError);
    expect(error).toMatchObject({ name: "WachtAuthError", code: "forbidden", status: 403, statusCode: 403 });
  });
});

describe("the session exchange goes through core", () => {
  it("uses the injected fetch, sends the cookie and no API key, and returns the token", async () => {
    const local = await serve((_request, response) =>
      sendJson(response, 200, { data: { token: "t.o.k", expires: 123 } }, { "x-development-session": "dev_1" }),
    );
    const seen: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    const result = await exchangeSessionForAuthToken("sess_secret", { publishableKey: publishableKeyFor(local.baseUrl), fetch: countingFetch }, false, {
      forwardedFor: "203.0.113.9, 10.0.0.1",
    });
    expect(result).toMatchObject({ authToken: "t.o.k", authTokenExpiresAt: 123, nextDevSession: "dev_1" });
    expect(seen).toEqual([`${local.baseUrl}/session/token`]);
    const request = local.requests[0]!;
    expect(request.headers).toMatchObject({ cookie: "__session=sess_secret", "x-wacht-forwarded-for": "203.0.113.9", accept: "application/json" });
    expect(request.headers.authorization).toBeUndefined();
  });

  it("sends a dev session in the query", async () => {
    const local = await serve((_request, response) => sendJson(response, 200, { data: { token: "t", expires: 1 } }));
    await exchangeSessionForAuthToken("dvs_1", { publishableKey: publishableKeyFor(local.baseUrl) }, true);
    expect(local.requests[0]!.url).toBe("/session/token?__dev_session__=dvs_1");
    expect(local.requests[0]!.headers.cookie).toBeUndefined();
  });

  it("times out a frontend API that never answers, instead of hanging the middleware", async () => {
    const local = await serve(() => {
      /* never answers */
    });
    const pending = exchangeSessionForAuthToken("sess", { publishableKey: publishableKeyFor(local.baseUrl), timeout: 200, maxRetries: 0 });
    await expect(pending).rejects.toBeInstanceOf(WachtTimeoutError);
  });

  it("reports a frontend API that is down as a connection error", async () => {
    const local = await serve(() => {});
    const url = local.baseUrl;
    await local.close();
    server = undefined;
    await expect(exchangeSessionForAuthToken("sess", { publishableKey: publishableKeyFor(url), maxRetries: 0 })).rejects.toBeInstanceOf(WachtConnectionError);
  });

  it("fetches the JWKS with the injected fetch too", async () => {
    const local = await serve((_request, response) => sendJson(response, 200, { keys: [] }));
    const seen: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    const header = Buffer.from(JSON.stringify({ alg: "ES256", kid: "k1" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ sub: "usr_1" })).toString("base64url");
    expect(await verifyAuthToken(`${header}.${payload}.c2ln`, { publishableKey: publishableKeyFor(local.baseUrl), fetch: countingFetch })).toBeNull();
    expect(seen[0]).toBe(`${local.baseUrl}/.well-known/jwks.json`);
  });
});

describe("the module style is derived from the resource classes", () => {
  it("has a function for every method of Users, and nothing else", () => {
    const methods = Object.getOwnPropertyNames(Users.prototype).filter((name) => name !== "constructor");
    expect(Object.keys(users).sort()).toEqual(methods.sort());
  });

  it("keeps per-call options, with or without a client last", async () => {
    const local = await serve((_request, response) => sendJson(response, 200, user("usr_1")));
    const client = new WachtClient({ apiKey: "wk_mine", baseUrl: local.baseUrl, maxRetries: 0 });
    await users.getUser("usr_1", { headers: { "x-call": "per-call" } }, client);
    expect(local.requests.at(-1)!.headers).toMatchObject({ authorization: "Bearer wk_mine", "x-call": "per-call" });
    await users.getUser("usr_1", client);
    expect(local.requests.at(-1)!.headers.authorization).toBe("Bearer wk_mine");
    await users.listSignins("usr_1", { include_expired: true }, { headers: { "x-call": "signins" } }, client).catch(() => undefined);
    expect(local.requests.at(-1)!).toMatchObject({ url: "/users/usr_1/sessions?include_expired=true", headers: { "x-call": "signins" } });
  });
});

describe("a list call is a page when awaited and every item when iterated", () => {
  const pages = [
    { data: [user("usr_1"), user("usr_2")], total: 3, has_more: true, limit: 2, offset: 0 },
    { data: [user("usr_3")], total: 3, has_more: false, limit: 2, offset: 2 },
  ];
  const answerPages: Handler = (request, response) => {
    const url = new URL(request.url, "http://x");
    const second = url.searchParams.has("starting_after") || url.searchParams.get("offset") === "2";
    sendJson(response, 200, second ? pages[1] : pages[0]);
  };

  it("await gives the first page", async () => {
    const local = await serve(answerPages);
    const client = new WachtClient({ apiKey: "k", baseUrl: local.baseUrl, maxRetries: 0 });
    // Typed as a Promise of the page too, so code written against `Promise<PaginatedResponse<User>>` compiles.
    const pending: Promise<PaginatedResponse<User>> = client.users.listUsers({ limit: 2 });
    const page = await pending;
    expect(page).toEqual(pages[0]);
    expect(await Promise.all([client.users.listUsers({ limit: 2 })])).toEqual([pages[0]]);
    expect(local.requests).toHaveLength(2);
  });

  it("for await walks every page, module style too", async () => {
    const local = await serve(answerPages);
    const client = new WachtClient({ apiKey: "k", baseUrl: local.baseUrl, maxRetries: 0 });
    const ids: string[] = [];
    for await (const item of client.users.listUsers({ limit: 2 })) ids.push(item.id);
    expect(ids).toEqual(["usr_1", "usr_2", "usr_3"]);
    const viaModule: string[] = [];
    for await (const item of users.listUsers({ limit: 2 }, client)) viaModule.push(item.id);
    expect(viaModule).toEqual(ids);
    expect(local.requests).toHaveLength(4);
  });
});

describe("one HTTP path", () => {
  it("only core/request.ts calls fetch, and jose fetches nothing itself", () => {
    const sourceDir = fileURLToPath(new URL("../src", import.meta.url));
    const files = readdirSync(sourceDir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
    const callers = files.filter((file) => /\bfetch\(|createRemoteJWKSet/.test(readFileSync(join(sourceDir, file), "utf8")));
    expect(callers).toEqual([join("core", "request.ts")]);
  });
});
