import { expect } from "vitest";
import type { TestServer } from "./start-server.js";

/** Assertions and raw requests for tests of error answers and hostile input. */

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** Asserts the wire protocol's error envelope and returns the body for further checks. */
export function expectEnvelope(answer: Answer, status: number, code?: string): any {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
  expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  const body = answer.body;
  expect(typeof body).toBe("object");
  expect(typeof body.message).toBe("string");
  expect(body.message.length).toBeGreaterThan(0);
  expect(body.code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  if (code) expect(body.code).toBe(code);
  expect(body).toHaveProperty("details");
  expect(body.errors).toEqual([{ message: body.message, code: status }]);
  expectNoLeak(JSON.stringify(body));
  return body;
}

/** No stack trace, no file path, no SQL error text ever reaches a client. */
export function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|\.js:\d+|SQLITE_|syntax error|violates|duplicate key/i);
}

/** A raw request: any body bytes, any headers, so the server sees exactly what an attacker sends. */
export async function raw(server: TestServer, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.apiKey}`, ...headers },
    body: typeof body === "string" ? body : body && new Uint8Array(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text: expectEnvelope then fails on it
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** A hand-built multipart body, so tests can send what no well-behaved client would. */
export function multipart(boundary: string, parts: Array<{ name: string; value: string | Buffer; filename?: string; type?: string }>, close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ""}`;
    const type = part.type ? `\r\nContent-Type: ${part.type}` : "";
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`), Buffer.from(part.value), Buffer.from("\r\n"));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
