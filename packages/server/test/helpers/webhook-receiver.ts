import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

/** Answers one request: a status (and optional body/headers), or "hang" to never answer. */
export type Responder = (request: ReceivedWebhook, count: number) => { status: number; body?: string; headers?: Record<string, string> } | "hang";

/**
 * A real HTTP receiver on 127.0.0.1, as an app's webhook endpoint would be. It records every
 * request and lets a test wait until a condition over them holds, woken by each arrival.
 */
export async function startReceiver(respond: Responder = () => ({ status: 200, body: "ok" })) {
  const received: ReceivedWebhook[] = [];
  const waiters = new Set<() => void>();
  const hanging = new Set<ServerResponse>();
  let responder = respond;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown = undefined;
      try {
        json = JSON.parse(body);
      } catch {}
      const webhook = { id: String(request.headers["webhook-id"] ?? ""), headers: request.headers, body, json };
      received.push(webhook);
      const answer = responder(webhook, received.length);
      if (answer === "hang") hanging.add(response);
      else response.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? "");
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    setResponder(next: Responder) {
      responder = next;
    },
    /** Resolves once `condition(received)` holds; rejects after `timeoutMs` with what did arrive. */
    waitFor(condition: (all: ReceivedWebhook[]) => boolean, timeoutMs = 15_000): Promise<ReceivedWebhook[]> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!condition(received)) return;
          cleanup();
          resolve(received);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`receiver: condition not met; got ${received.length} requests: ${received.map((r) => r.json?.type ?? r.body.slice(0, 40)).join(", ")}`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Test settings: receivers on 127.0.0.1 allowed, retries in milliseconds instead of hours. */
export const fastWebhookConfig = {
  webhookAllowPrivateNetworks: true,
  webhookRetryScheduleMs: [30, 60, 90],
  webhookPollIntervalMs: 25,
};
