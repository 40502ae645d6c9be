import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { WachtError, WebhookVerificationError, verifyWebhook } from "../src/index.js";

/*
 * verifyWebhook against signatures made by the independent `standardwebhooks` package: if our
 * reading of the spec drifted from theirs, these fail.
 */

const secretOf = (bytes = randomBytes(24)) => `whsec_${bytes.toString("base64")}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function signed(secret: string, payload: string, options: { id?: string; atSeconds?: number } = {}) {
  const id = options.id ?? `msg_${randomBytes(6).toString("hex")}`;
  const atSeconds = options.atSeconds ?? nowSeconds();
  const signature = new Webhook(secret).sign(id, new Date(atSeconds * 1000), payload);
  return { "webhook-id": id, "webhook-timestamp": String(atSeconds), "webhook-signature": signature };
}

const event = { type: "user.created", timestamp: "2026-12-01T08:00:00.000Z", deployment_id: "dep_1", data: { id: "usr_1", first_name: "Zoë" } };
const payload = JSON.stringify(event);

describe("verifyWebhook", () => {
  it("accepts what standardwebhooks signed, from a plain object or Headers, and answers the parsed event", async () => {
    const secret = secretOf();
    const headers = signed(secret, payload);
    expect(await verifyWebhook(payload, headers, secret)).toEqual(event);
    expect(await verifyWebhook(payload, new Headers(headers), secret)).toEqual(event);
    const upperCase = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect(await verifyWebhook(payload, upperCase, secret)).toEqual(event);
  });

  it("accepts the raw bytes too (non-ASCII payloads included)", async () => {
    const secret = secretOf();
    expect(await verifyWebhook(new TextEncoder().encode(payload), signed(secret, payload), secret)).toEqual(event);
  });

  it("agrees with standardwebhooks' own verify, and vice versa", async () => {
    const secret = secretOf();
    const headers = signed(secret, payload);
    expect(new Webhook(secret).verify(payload, headers)).toEqual(await verifyWebhook(payload, headers, secret));
  });

  it("accepts any one of several space-separated signatures (a rotated secret beside the new one)", async () => {
    const oldSecret = secretOf();
    const newSecret = secretOf();
    const id = "msg_rotation";
    const at = nowSeconds();
    const both = `${signed(oldSecret, payload, { id, atSeconds: at })["webhook-signature"]} ${signed(newSecret, payload, { id, atSeconds: at })["webhook-signature"]}`;
    const headers = { "webhook-id": id, "webhook-timestamp": String(at), "webhook-signature": `v1a,ignored ${both}` };
    expect(await verifyWebhook(payload, headers, oldSecret)).toEqual(event);
    expect(await verifyWebhook(payload, headers, newSecret)).toEqual(event);
    await expect(verifyWebhook(payload, headers, secretOf())).rejects.toMatchObject({ code: "webhook_signature_invalid" });
  });

  it("refuses another secret, a changed payload, id or timestamp", async () => {
    const secret = secretOf();
    const headers = signed(secret, payload);
    const refusal = await verifyWebhook(payload, headers, secretOf()).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(WebhookVerificationError);
    expect(refusal).toBeInstanceOf(WachtError);
    expect(refusal).toMatchObject({ code: "webhook_signature_invalid" });
    await expect(verifyWebhook(payload.replace("Zoë", "Zoe"), headers, secret)).rejects.toMatchObject({ code: "webhook_signature_invalid" });
    await expect(verifyWebhook(payload, { ...headers, "webhook-id": "msg_other" }, secret)).rejects.toMatchObject({ code: "webhook_signature_invalid" });
    const shifted = String(Number(headers["webhook-timestamp"]) - 1);
    await expect(verifyWebhook(payload, { ...headers, "webhook-timestamp": shifted }, secret)).rejects.toMatchObject({ code: "webhook_signature_invalid" });
    await expect(verifyWebhook(payload, { ...headers, "webhook-signature": "v1,!!!notbase64" }, secret)).rejects.toMatchObject({
      code: "webhook_signature_invalid",
    });
  });

  it("refuses timestamps outside the tolerance (default 5 minutes), either way", async () => {
    const secret = secretOf();
    const now = nowSeconds();
    expect(await verifyWebhook(payload, signed(secret, payload, { atSeconds: now - 290 }), secret)).toEqual(event);
    await expect(verifyWebhook(payload, signed(secret, payload, { atSeconds: now - 400 }), secret)).rejects.toMatchObject({
      code: "webhook_timestamp_out_of_range",
    });
    await expect(verifyWebhook(payload, signed(secret, payload, { atSeconds: now + 400 }), secret)).rejects.toMatchObject({
      code: "webhook_timestamp_out_of_range",
    });
    expect(await verifyWebhook(payload, signed(secret, payload, { atSeconds: now - 400 }), secret, { toleranceSeconds: 600 })).toEqual(event);
    const old = signed(secret, payload, { atSeconds: 1_700_000_000 });
    expect(await verifyWebhook(payload, old, secret, { nowSeconds: 1_700_000_010 })).toEqual(event);
  });

  it("refuses missing headers and a malformed timestamp", async () => {
    const secret = secretOf();
    const headers = signed(secret, payload);
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"] as const) {
      const { [name]: _left, ...rest } = headers;
      await expect(verifyWebhook(payload, rest, secret)).rejects.toMatchObject({ code: "webhook_headers_missing" });
    }
    await expect(verifyWebhook(payload, { ...headers, "webhook-timestamp": "12abc" }, secret)).rejects.toMatchObject({ code: "webhook_timestamp_invalid" });
  });

  it("says what is wrong with a bad secret or a parsed body, instead of failing every delivery silently", async () => {
    const secret = secretOf();
    const headers = signed(secret, payload);
    await expect(verifyWebhook(payload, headers, "whsec_")).rejects.toThrow(/signing_secret/);
    await expect(verifyWebhook(payload, headers, "whsec_***")).rejects.toThrow(/signing_secret/);
    await expect(verifyWebhook(event as unknown as string, headers, secret)).rejects.toThrow(/raw request body/);
  });

  it("gives the same answer without Web Crypto (Node 18), through the plain-JS HMAC", async () => {
    const secret = secretOf();
    const headers = signed(secret, payload);
    vi.stubGlobal("crypto", undefined);
    try {
      expect(globalThis.crypto).toBeUndefined();
      expect(await verifyWebhook(payload, headers, secret)).toEqual(event);
      await expect(verifyWebhook(payload, headers, secretOf())).rejects.toMatchObject({ code: "webhook_signature_invalid" });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
