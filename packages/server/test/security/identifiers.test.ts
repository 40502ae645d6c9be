import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldForUniqueness, normalizeEmail } from "../../src/identifiers/normalize.js";
import { apiClient, uniquePhone, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser, getDetails } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const tag = () => randomBytes(3).toString("hex");

describe("identifier normalization", () => {
  it("folds look-alikes to one unique key", () => {
    expect(foldForUniqueness("\u212Aate@example.com")).toBe("kate@example.com"); // Kelvin sign
    expect(foldForUniqueness("ｋａｔｅ@example.com")).toBe("kate@example.com"); // fullwidth
    expect(foldForUniqueness("o\uFB01ce@example.com")).toBe("ofice@example.com"); // the ligature ﬁ is f + i
    expect(normalizeEmail("jose\u0301@example.com").email).toBe("jos\u00e9@example.com");
    expect(normalizeEmail("user@bücher.example").email).toBe("user@xn--bcher-kva.example");
  });
});

describe.each(DIALECTS)("identifier and name text on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  it("treats NFC and NFD spellings of an address as one, stored in NFC, and signs in with either", async () => {
    const local = `jos${tag()}`;
    const user = await createUser(call, { email_address: `${local}\u00e9@example.com` });
    const twin = await call("POST", "/users", { email_address: `${local}e\u0301@example.com`, skip_password_check: true });
    expect(twin.status).toBe(409);
    expect(twin.body.code).toBe("email_taken");
    const stored = await call("POST", `/users/${user.id}/emails`, { email: `alt${local}e\u0301@example.com` });
    expect(stored.body.email).toBe(`alt${local}\u00e9@example.com`);
    expect((await frontendClient(server.baseUrl).signIn(`${local}e\u0301@example.com`, GOOD_PASSWORD)).status).toBe(200);
  });

  it("makes look-alike addresses collide in the unique key (Kelvin sign, fullwidth letters)", async () => {
    const local = `kate${tag()}`;
    await createUser(call, { email_address: `${local}@example.com` });
    for (const lookAlike of [`\u212A${local.slice(1)}@example.com`, `ｋ${local.slice(1)}@example.com`, `${local.toUpperCase()}@EXAMPLE.COM`]) {
      const answer = await call("POST", "/users", { email_address: lookAlike, skip_password_check: true });
      expect(answer.status, lookAlike).toBe(409);
      expect(answer.body.code).toBe("email_taken");
    }
    const cyrillic = await call("POST", "/users", { email_address: `p\u0430ypal${tag()}@example.com`, skip_password_check: true });
    expect(cyrillic.status).toBe(400);
    expect(cyrillic.body.details.email_address).toMatch(/look-alike/);
  });

  it("refuses control, format and ill-formed characters in every identifier and name field", async () => {
    const user = await createUser(call);
    const invisible = ["\u200b", "\u202e", "\u2066", "\u0007", "\u00ad", "\ufeff"];
    for (const character of invisible) {
      const cases: Array<[string, string, Record<string, unknown>, string]> = [
        ["POST", "/users", { email_address: `a${character}${tag()}@example.com`, skip_password_check: true }, "email_address"],
        ["POST", "/users", { username: `u${tag()}`, first_name: `Eve${character}`, skip_password_check: true }, "first_name"],
        ["PATCH", `/users/${user.id}`, { last_name: `${character}Mallory` }, "last_name"],
        ["POST", `/users/${user.id}/emails`, { email: `b${character}${tag()}@example.com` }, "email"],
        ["POST", `/users/${user.id}/phones`, { phone_number: `+1415${character}5550123` }, "phone_number"],
      ];
      for (const [method, path, body, field] of cases) {
        const answer = await call(method, path, body);
        expect(answer.status, `${JSON.stringify(character)} in ${field}`).toBe(400);
        expect(Object.keys(answer.body.details)).toEqual([field]);
      }
    }
    // A lone surrogate, sent as JSON can carry it.
    const lone = await call("POST", "/users", `{"email_address":"x\\ud800@example.com","skip_password_check":true}`);
    expect(lone.status).toBe(400);
    expect(lone.body.details).toEqual({ email_address: "must be well-formed Unicode (no lone surrogates)" });
    const loneName = await call("PATCH", `/users/${user.id}`, `{"first_name":"\\udc00"}`);
    expect(loneName.status).toBe(400);
    expect((await getDetails(call, user.id)).last_name).toBe("User");
  });

  it("keeps the joiners real names need, and stores names in NFC", async () => {
    const user = await createUser(call, { first_name: "Ren\u0065\u0301e", last_name: "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645" });
    expect(user.first_name).toBe("Ren\u00e9e");
    expect(user.last_name).toBe("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645");
    expect((await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone() })).status).toBe(200);
  });
});
