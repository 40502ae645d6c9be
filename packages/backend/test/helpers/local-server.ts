import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the local server received it, body already read. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAtMs: number;
}

export interface LocalServer {
  baseUrl: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** `index` counts requests from 0, which makes "503, then 200" a one-line handler. */
export type Handler = (request: ReceivedRequest, response: ServerResponse, index: number) => void;

/**
 * A small real HTTP server on 127.0.0.1 for transport tests: the client's own
 * fetch, sockets and timers are exercised, nothing is mocked.
 */
export async function startLocalServer(handler: Handler): Promise<LocalServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const request: ReceivedRequest = {
        method: incoming.method ?? "",
        url: incoming.url ?? "",
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        receivedAtMs: Date.now(),
      };
      requests.push(request);
      handler(request, response, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Handlers that never answer leave sockets open; close them or close() waits forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON with our envelope's headers. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", "x-request-id": "req_local", ...headers });
  response.end(JSON.stringify(body));
}

/** The wire protocol's error envelope. */
export function errorEnvelope(status: number, message: string, code: string, details: unknown = null): unknown {
  return { message, code, details, errors: [{ message, code: status }] };
}
