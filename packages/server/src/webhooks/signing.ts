import { createHmac, randomBytes } from "node:crypto";

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is `whsec_` + base64
 * of random bytes; the signature is base64 HMAC-SHA256 over `<id>.<timestamp>.<body>` keyed with
 * those bytes, sent as `v1,<signature>`, space-separated when several secrets sign at once.
 */
const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;

export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString("base64");
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

export function signPayload(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const signature = createHmac("sha256", secretBytes(secret)).update(`${messageId}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${signature}`;
}

/** The three headers of a signed request; every secret given signs (the current one and, after a rotation, the previous one). */
export function signatureHeaders(secrets: string[], messageId: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": secrets.map((secret) => signPayload(secret, messageId, timestampSeconds, body)).join(" "),
  };
}

/** Header names a custom endpoint header may not set: ours would be overridden or the request malformed. */
export const RESERVED_HEADER_NAMES = new Set([
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "content-type",
  "content-length",
  "transfer-encoding",
  "host",
  "connection",
  "user-agent",
]);
