import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import { checkLiteralHost, safeLookup } from "./url-safety.js";

/** What one HTTP attempt came to. Only a 2xx answer counts as delivered. */
export interface SendResult {
  succeeded: boolean;
  statusCode: number | null;
  durationMs: number;
  /** The first KiB of the answer, as text. */
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
  /** Why there was no answer (refused address, timeout, connection error), or why it was not a success. */
  error: string | null;
}

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
}

export const RESPONSE_BODY_LIMIT_BYTES = 1024;

/**
 * POSTs one signed webhook. node:http rather than fetch: it never follows redirects (a 3xx is a
 * failed attempt, so a receiver cannot bounce us to an internal address), and its `lookup` hook
 * lets every connection be checked after DNS resolution.
 */
export function sendWebhook(request: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failure = (error: string, statusCode: number | null = null): SendResult => ({
    succeeded: false,
    statusCode,
    durationMs: elapsed(),
    responseBody: null,
    responseHeaders: null,
    error,
  });

  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve(failure("invalid URL"));
  }
  const literalProblem = checkLiteralHost(url, request.allowPrivateNetworks);
  if (literalProblem) return Promise.resolve(failure(`refused: ${literalProblem}`));

  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const transport = url.protocol === "https:" ? https : http;
    const outgoing = transport.request(
      url,
      {
        method: "POST",
        headers: {
          ...request.headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(request.body),
          "user-agent": "Wacht-Webhooks/1",
        },
        lookup: safeLookup(request.allowPrivateNetworks) as any,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () => {
          const statusCode = response.statusCode ?? 0;
          const succeeded = statusCode >= 200 && statusCode < 300;
          finish({
            succeeded,
            statusCode,
            durationMs: elapsed(),
            responseBody: Buffer.concat(chunks).toString("utf8"),
            responseHeaders: Object.fromEntries(
              Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : String(value)]),
            ),
            error: succeeded
              ? null
              : statusCode >= 300 && statusCode < 400
                ? `redirect to ${response.headers.location ?? "?"} not followed`
                : `HTTP ${statusCode}`,
          });
          response.destroy();
        };
        response.on("data", (chunk: Buffer) => {
          if (kept < RESPONSE_BODY_LIMIT_BYTES) {
            const part = chunk.subarray(0, RESPONSE_BODY_LIMIT_BYTES - kept);
            chunks.push(part);
            kept += part.length;
          }
          // A receiver streaming a large answer should not hold the dispatcher: the first KiB is all we keep.
          if (kept >= RESPONSE_BODY_LIMIT_BYTES) done();
        });
        response.on("end", done);
        response.on("error", done);
      },
    );
    const timer = setTimeout(() => {
      outgoing.destroy();
      finish(failure(`timed out after ${request.timeoutMs} ms`));
    }, request.timeoutMs);
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      const refused = error.code === "webhook_address_refused";
      finish(failure(refused ? `refused: ${error.message}` : `${error.code ?? "error"}: ${error.message}`));
    });
    outgoing.end(request.body);
  });
}
