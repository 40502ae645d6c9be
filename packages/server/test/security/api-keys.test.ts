import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import { startServer as startWachtServer } from "../../src/server.js";
import { DIALECTS } from "../helpers/dialects.js";
import { expectEnvelope, raw } from "../helpers/envelope.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

const operatorKey = () => `sk_operator_${randomBytes(16).toString("hex")}`;

async function listUsers(baseUrl: string, apiKey: string): Promise<number> {
  return (await fetch(`${baseUrl}/users?limit=1`, { headers: { authorization: `Bearer ${apiKey}` } })).status;
}

describe("WACHT_API_KEY length", () => {
  it("refuses an operator key shorter than 32 characters at start, saying why", () => {
    expect(() => readConfig({ WACHT_API_KEY: "x" })).toThrow(/WACHT_API_KEY must be 32 to 512 .*guessed/);
    expect(() => readConfig({ WACHT_API_KEY: "sk_".padEnd(31, "a") })).toThrow(/got 31/);
    expect(readConfig({ WACHT_API_KEY: "k".repeat(32) }).apiKey).toBe("k".repeat(32));
  });
});

describe.each(DIALECTS)("WACHT_API_KEY changes on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(dialect);
  });
  afterAll(async () => server?.close());

  it("revokes the previous environment key of the default deployment at start, and says so", async () => {
    const config = {
      ...readConfig({}),
      databaseUrl: server.databaseUrl,
      port: 0,
      logLevel: "silent",
      encryptionKeys: [createHash("sha256").update(server.databaseUrl).digest()],
    };
    const first = operatorKey();
    const second = operatorKey();
    const lines: string[] = [];
    const running = await startWachtServer({ ...config, apiKey: first }, (line) => lines.push(line));
    expect(await listUsers(running.url, first)).toBe(200);
    await running.close();
    // The same value again: nothing changes.
    const again = await startWachtServer({ ...config, apiKey: first }, (line) => lines.push(line));
    expect(await listUsers(again.url, first)).toBe(200);
    await again.close();
    expect(lines.join("\n")).not.toContain("revoked");

    const changed = await startWachtServer({ ...config, apiKey: second }, (line) => lines.push(line));
    try {
      expect(await listUsers(changed.url, second)).toBe(200);
      expect(await listUsers(changed.url, first)).toBe(401);
      const said = lines.find((line) => line.startsWith("WACHT_API_KEY changed"))!;
      expect(said).toMatch(/^WACHT_API_KEY changed: revoked the previous one \(key_\w+, sk_oper…\) of the default deployment\.$/);
      expect(said).not.toContain(first);
      // Keys made by other means (the CLI, the test harness) are not touched.
      expect(await listUsers(changed.url, server.apiKey)).toBe(200);
    } finally {
      await changed.close();
    }
    // Going back to the revoked value is refused: it may be the one that leaked.
    await expect(startWachtServer({ ...config, apiKey: first }, () => {})).rejects.toThrow(/was revoked: choose a new key/);
  });
});

describe.each(DIALECTS)("API-key guessing on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(dialect, { config: { apiKeyFailureMax: 5, rateLimitWindowMs: 60_000 } });
  });
  afterAll(async () => server?.close());

  it("answers 429 to an address that sent too many wrong keys, before looking the next one up", async () => {
    const statuses = [];
    for (let guess = 0; guess < 8; guess++)
      statuses.push((await raw(server, "GET", "/users", undefined, { authorization: `Bearer sk_${randomBytes(20).toString("hex")}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const limited = expectEnvelope(await raw(server, "GET", "/users", undefined, { authorization: `Bearer ${server.apiKey}` }), 429, "rate_limited");
    expect(limited.message).toMatch(/retry after \d+ s/);
    // Requests without any key at all are not guesses (and get 401 without a lookup anyway);
    // the address stays throttled for the rest of the window.
    expect((await raw(server, "GET", "/users", undefined, { authorization: `Bearer ${server.apiKey}` })).headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
