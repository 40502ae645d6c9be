import { randomBytes } from "node:crypto";

/** A small fetch wrapper for API tests: JSON in, `{status, body, headers}` out. */
export function apiClient(baseUrl: string, apiKey: string) {
  return async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${apiKey}`, ...headers } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    }
    const response = await fetch(`${baseUrl}${path}`, init);
    const text = await response.text();
    let json: any = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, body: json, headers: response.headers };
  };
}

export type ApiCall = ReturnType<typeof apiClient>;

/** Unique per call, so tests sharing a server never collide. */
export const uniqueEmail = (label = "user") => `${label}.${randomBytes(5).toString("hex")}@example.com`;
export const uniqueUsername = (label = "user") => `${label}_${randomBytes(4).toString("hex")}`;

let phoneCounter = Math.floor(Math.random() * 9000);
/** A valid US number (NANP 415-555-01xx is reserved for fiction, so we use real-looking exchanges). */
export function uniquePhone(): string {
  phoneCounter = (phoneCounter + 1) % 10000;
  const exchange = 200 + Math.floor(Math.random() * 700);
  return `+1415${exchange}${String(phoneCounter).padStart(4, "0")}`;
}
