import { request as httpRequest } from "node:http";

export interface RawAnswer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * One request with exactly the method, headers and body given (fetch refuses a GET with a body and
 * cannot set Host); the answer's body is parsed as JSON when it is JSON.
 */
export function rawHttp(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawAnswer> {
  const url = new URL(path, baseUrl);
  // Node frames a GET's body only when told its length.
  if (body !== undefined && headers["transfer-encoding"] === undefined) headers = { "content-length": String(Buffer.byteLength(body)), ...headers };
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ agent: false, host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // left as text
        }
        resolve({ status: incoming.statusCode ?? 0, body: parsed, headers: incoming.headers });
      });
    });
    // The server may answer (413) and close before the whole body is sent.
    outgoing.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    outgoing.end(body);
  });
}
