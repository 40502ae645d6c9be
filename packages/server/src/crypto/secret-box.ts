import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Secret material the server must be able to read back (signing keys' private halves, TOTP
 * secrets, OAuth client secrets and tokens, webhook signing secrets) is stored sealed with
 * AES-256-GCM under the server's encryption key, never in clear. Hashes are for secrets we only
 * compare (API keys, session secrets, backup codes); this is for secrets we must use.
 *
 * A sealed value is `ws1.<key id>.<iv>.<ciphertext+tag>` (base64url). The key id lets several
 * keys be configured at once, so a key can be rotated: values are sealed with the first key and
 * opened with whichever key sealed them. `context` is bound to the ciphertext as associated data
 * (for example "signing_keys.private_jwk:sig_…"), so a sealed value copied into another row or
 * column does not open there.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Throws when the value was not sealed by one of our keys, for this context, or was altered. */
  open(sealed: string, context: string): string;
  /** Whether `sealed` was sealed with a key other than the current one (a rotation is due). */
  isSealedWithOldKey(sealed: string): boolean;
}

const FORMAT = "ws1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A key's public name: the first 8 hex characters of its SHA-256 (the key itself cannot be derived from it). */
function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

/**
 * An encryption key as an operator writes it: 32 bytes as 64 hex characters or as base64
 * (43–44 characters). Null for anything else.
 */
export function parseEncryptionKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    return bytes.length === KEY_BYTES ? bytes : null;
  }
  return null;
}

/** A fresh random key, in the hex form parseEncryptionKey reads. */
export function generateEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString("hex");
}

/** `keys[0]` seals; every key opens what it sealed. */
export function createSecretBox(keys: Buffer[]): SecretBox {
  if (keys.length === 0) throw new Error("createSecretBox needs at least one key.");
  for (const key of keys) if (key.length !== KEY_BYTES) throw new Error(`An encryption key must be ${KEY_BYTES} bytes.`);
  const byId = new Map(keys.map((key) => [keyIdOf(key), key] as const));
  const currentId = keyIdOf(keys[0]!);
  const currentKey = keys[0]!;

  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", currentKey, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return [FORMAT, currentId, iv.toString("base64url"), ciphertext.toString("base64url")].join(".");
    },
    open(sealed, context) {
      const [format, keyId, ivText, bodyText, extra] = sealed.split(".");
      if (format !== FORMAT || !keyId || !ivText || !bodyText || extra !== undefined) throw new Error("Not a sealed secret.");
      const key = byId.get(keyId);
      if (!key) throw new Error(`This secret was sealed with encryption key ${keyId}, which is not configured (WACHT_ENCRYPTION_KEY).`);
      const iv = Buffer.from(ivText, "base64url");
      const body = Buffer.from(bodyText, "base64url");
      if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new Error("Not a sealed secret.");
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    },
    isSealedWithOldKey(sealed) {
      return sealed.split(".")[1] !== currentId;
    },
  };
}
