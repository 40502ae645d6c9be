import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import { DIALECTS } from "../helpers/dialects.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

interface Trickle {
  /** Resolves with what the server sent before it closed the connection, and how many bytes we had sent. */
  closed: Promise<{ answer: string; bytesSent: number }>;
}

/** A client that sends `head` and then one byte of `tail` every `everyMs`, as slowloris does, until the server hangs up. */
function trickle(server: TestServer, head: string, tail: string, everyMs: number): Trickle {
  const url = new URL(server.baseUrl);
  const socket: Socket = connect(Number(url.port), url.hostname);
  let answer = "";
  let bytesSent = 0;
  let timer: NodeJS.Timeout | undefined;
  socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
  socket.on("connect", () => {
    socket.write(head);
    bytesSent += head.length;
    let index = 0;
    timer = setInterval(() => {
      if (socket.destroyed || socket.writableEnded) return;
      socket.write(tail[index % tail.length]!);
      bytesSent++;
      index++;
    }, everyMs);
  });
  const closed = new Promise<{ answer: string; bytesSent: number }>((resolve) => {
    const finish = () => {
      clearInterval(timer);
      resolve({ answer, bytesSent });
    };
    socket.on("close", finish);
    socket.on("error", () => socket.destroy());
  });
  return { closed };
}

describe("timeout settings", () => {
  it("have defaults and can be configured", () => {
    expect(readConfig({})).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, connectionTimeoutMs: 60_000 });
    expect(readConfig({ WACHT_REQUEST_TIMEOUT_MS: "5000", WACHT_HEADERS_TIMEOUT_MS: "2000" })).toMatchObject({
      requestTimeoutMs: 5000,
      headersTimeoutMs: 2000,
    });
    expect(() => readConfig({ WACHT_REQUEST_TIMEOUT_MS: "0" })).toThrow(/WACHT_REQUEST_TIMEOUT_MS/);
  });
});

describe.each(DIALECTS)("slow clients on %s", (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(dialect, { config: { requestTimeoutMs: 600, headersTimeoutMs: 400, connectionTimeoutMs: 2000 } });
  });
  afterAll(async () => server?.close());

  it("cuts off a client that trickles its body", async () => {
    const head = `POST /sign-in HTTP/1.1\r\nHost: ${new URL(server.baseUrl).host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"identifier":"`;
    const { answer, bytesSent } = await trickle(server, head, "a", 50).closed;
    // Hung up long before the 1000 bytes it announced arrived, with a 408 when it answered at all.
    expect(bytesSent).toBeLessThan(head.length + 1000 - 100);
    if (answer !== "") expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("cuts off a client that trickles its headers", async () => {
    const { bytesSent } = await trickle(server, "GET /health HTTP/1.1\r\n", "X-Slow: aaaaaaaaaaaaaaaaaaaa\r\n", 50).closed;
    expect(bytesSent).toBeLessThan(10_000);
  });

  it("still serves a client that sends at a normal pace", async () => {
    expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
  });
});
