import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSecretBox } from "../../src/crypto/encryption-key.js";
import { createSecretBox, generateEncryptionKey, parseEncryptionKey } from "../../src/crypto/secret-box.js";

const key = () => parseEncryptionKey(generateEncryptionKey())!;

describe("secret box", () => {
  it("opens what it sealed, and nothing sealed for another context, key or with a flipped bit", () => {
    const box = createSecretBox([key()]);
    const sealed = box.seal("JBSWY3DPEHPK3PXP", "totp:usr_1");
    expect(sealed).not.toContain("JBSWY3DPEHPK3PXP");
    expect(sealed).toMatch(/^ws1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+$/);
    expect(box.open(sealed, "totp:usr_1")).toBe("JBSWY3DPEHPK3PXP");
    expect(() => box.open(sealed, "totp:usr_2")).toThrow();
    expect(() => createSecretBox([key()]).open(sealed, "totp:usr_1")).toThrow(/not configured/);
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] ^= 1;
    expect(() => box.open([...parts.slice(0, 3), body.toString("base64url")].join("."), "totp:usr_1")).toThrow();
  });

  it("rotates: a new first key seals, the old one still opens", () => {
    const oldKey = key();
    const sealedBefore = createSecretBox([oldKey]).seal("secret", "c");
    const rotated = createSecretBox([key(), oldKey]);
    expect(rotated.open(sealedBefore, "c")).toBe("secret");
    expect(rotated.isSealedWithOldKey(sealedBefore)).toBe(true);
    expect(rotated.isSealedWithOldKey(rotated.seal("secret", "c"))).toBe(false);
  });

  it("reads keys as hex or base64 and refuses anything else", () => {
    const hex = generateEncryptionKey();
    expect(parseEncryptionKey(hex)?.length).toBe(32);
    expect(parseEncryptionKey(Buffer.from(hex, "hex").toString("base64"))?.equals(Buffer.from(hex, "hex"))).toBe(true);
    expect(parseEncryptionKey("short")).toBeNull();
    expect(parseEncryptionKey("0".repeat(63))).toBeNull();
  });

  it("creates the key file once, with mode 0600, beside the SQLite database", () => {
    const dir = mkdtempSync(join(tmpdir(), "wacht-key-"));
    const config = { encryptionKeys: [], encryptionKeyFile: undefined, databaseUrl: `sqlite:${join(dir, "wacht.db")}` };
    const first = loadSecretBox(config);
    const file = join(dir, "wacht.key");
    expect(first.source).toContain(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const contents = readFileSync(file, "utf8");
    const second = loadSecretBox(config);
    expect(readFileSync(file, "utf8")).toBe(contents);
    expect(second.secretBox.open(first.secretBox.seal("x", "c"), "c")).toBe("x");
  });
});
