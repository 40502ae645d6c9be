import { WachtError } from "../core/errors.js";
import { base64ToBytes, utf8 } from "../crypto/base64.js";
import { constantTimeEqual } from "../crypto/constant-time-equal.js";
import { hmacSha256 } from "../crypto/hmac-sha256.js";

/**
 * Standard Webhooks (standardwebhooks.com) verification of a delivery from Wacht: `webhook-id`,
 * `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of
 * "id.timestamp.payload">`, several separated by spaces while a rotated secret overlaps the new one).
 */

/** Five minutes either way, as Standard Webhooks recommends: enough for clock drift, too short to replay. */
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = "whsec_";

/** The built-in events; an app's own events (triggerWebhook) can have any name. */
export type WachtEventType =
  | "user.created"
  | "user.updated"
  | "user.deleted"
  | "email.created"
  | "email.updated"
  | "email.deleted"
  | "phone.created"
  | "phone.updated"
  | "phone.deleted"
  | "session.created"
  | "session.revoked"
  | "password.updated"
  | "social_connection.created"
  | "social_connection.deleted"
  | "authenticator.created"
  | "authenticator.deleted"
  | "backup_codes.regenerated"
  | "passkey.created"
  | "passkey.updated"
  | "passkey.deleted"
  | (string & {});

/**
 * A delivery's body. `data` is the resource as the Backend API returns it (the details document
 * for users); for a delete, `{ id, deleted: true }`.
 */
export interface WachtWebhookEvent<TData = unknown> {
  type: WachtEventType;
  /** RFC 3339. */
  timestamp: string;
  deployment_id: string;
  data: TData;
}

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, either way (default 300). */
  toleranceSeconds?: number;
  /** Unix seconds "now"; for tests and replays of stored deliveries. Defaults to the clock. */
  nowSeconds?: number;
}

/** A `Headers` object, or a plain object such as Node's `request.headers` (any case). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export type WebhookVerificationCode = "webhook_headers_missing" | "webhook_timestamp_invalid" | "webhook_timestamp_out_of_range" | "webhook_signature_invalid";

/** The delivery is not a valid, fresh one from the app holding this secret: answer it 4xx. */
export class WebhookVerificationError extends WachtError {
  declare code: WebhookVerificationCode;

  constructor(message: string, code: WebhookVerificationCode) {
    super(message, undefined, undefined, { code });
    this.name = "WebhookVerificationError";
  }
}

function readHeader(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(" ") : value;
  }
  return undefined;
}

function decodeSecret(secret: string): Uint8Array<ArrayBuffer> {
  const key = base64ToBytes(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  // A bad secret is a setup mistake, not a bad delivery: a plain WachtError, not a verification failure.
  if (!key || key.length === 0) throw new WachtError("Invalid webhook secret: expected the app's signing_secret, whsec_<base64>.");
  return new Uint8Array(key);
}

async function signContent(key: Uint8Array<ArrayBuffer>, content: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  // Node 18 has no global Web Crypto; the plain-JS HMAC gives the same bytes there.
  if (!subtle) return hmacSha256(key, content);
  const cryptoKey = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", cryptoKey, content));
}

/**
 * Checks a webhook delivery and answers its parsed payload (`{type, timestamp, deployment_id,
 * data}`). `payload` must be the raw body exactly as received (a string or the bytes), not JSON
 * that was parsed and serialized again. Throws WebhookVerificationError when headers are missing,
 * the timestamp is outside the tolerance, or no `v1` signature matches — the same contract as
 * the standardwebhooks and svix libraries, so receivers ported from them keep their shape.
 */
export async function verifyWebhook<T = WachtWebhookEvent>(
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<T> {
  if (typeof payload !== "string" && !(payload instanceof Uint8Array)) {
    throw new WachtError("verifyWebhook needs the raw request body (string or bytes), not a parsed object: signatures cover the exact bytes sent.");
  }
  const key = decodeSecret(secret);
  const id = readHeader(headers, "webhook-id");
  const timestamp = readHeader(headers, "webhook-timestamp");
  const signatures = readHeader(headers, "webhook-signature");
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature header", "webhook_headers_missing");
  if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError("webhook-timestamp is not a Unix time in seconds", "webhook_timestamp_invalid");

  const nowSeconds = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
    throw new WebhookVerificationError(`webhook-timestamp is more than ${toleranceSeconds} s from now`, "webhook_timestamp_out_of_range");
  }

  const body = typeof payload === "string" ? utf8.encode(payload) : payload;
  const prefix = utf8.encode(`${id}.${Number(timestamp)}.`);
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  const expected = await signContent(key, content);

  // Every candidate is compared in constant time; other versions (v1a …) are skipped, not failed.
  const matches = signatures
    .split(" ")
    .map((entry) => entry.split(","))
    .filter(([version, signature]) => version === "v1" && signature !== undefined)
    .map(([, signature]) => base64ToBytes(signature!))
    .some((candidate) => candidate !== null && constantTimeEqual(candidate, expected));
  if (!matches) throw new WebhookVerificationError("No webhook-signature matches this payload and secret", "webhook_signature_invalid");

  const text = typeof payload === "string" ? payload : utf8.decode(payload);
  return (text === "" ? undefined : JSON.parse(text)) as T;
}
