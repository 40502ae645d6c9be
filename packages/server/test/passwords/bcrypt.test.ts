import bcryptjs from "bcryptjs";
import { describe, expect, it } from "vitest";
import { MAX_IMPORTED_BCRYPT_COST, needsRehash, normalizeImportedDigest, verifyPassword } from "../../src/passwords/hasher.js";

const CLERK_VECTOR = { digest: "$2b$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2", password: "Kk4aPMeiaRpAs2OeX1NE" };
const WORKOS_VECTOR = { digest: "$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ.", password: "password" };

function storedOf(digest: string): string {
  const normalized = normalizeImportedDigest({ digest, hasher: "bcrypt" });
  if (!("stored" in normalized)) throw new Error(`refused: ${normalized.rule}`);
  return normalized.stored;
}

describe("bcrypt digests", () => {
  it.each([CLERK_VECTOR, WORKOS_VECTOR])("verifies the published vector $digest", async ({ digest, password }) => {
    const stored = storedOf(digest);
    expect(stored).toBe(digest);
    expect(await verifyPassword(stored, password)).toBe(true);
    expect(await verifyPassword(stored, `${password}!`)).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it.each(["$2a$", "$2b$", "$2y$"])("verifies a bcryptjs digest rewritten to %s", async (prefix) => {
    const password = "pässwörd with ünïcode";
    const digest = bcryptjs.hashSync(password, 4).replace(/^\$2[aby]\$/, prefix);
    const stored = storedOf(digest);
    expect(await verifyPassword(stored, password)).toBe(true);
    expect(await verifyPassword(stored, "passwörd with ünïcode")).toBe(false);
  });

  it("refuses $2x$ (made by the buggy crypt_blowfish) and malformed digests, naming the rule", () => {
    const good = bcryptjs.hashSync("secret", 4);
    const cases: Array<[digest: string, rule: RegExp]> = [
      [good.replace(/^\$2b\$/, "$2x$"), /\$2x\$/],
      [good.replace(/^\$2b\$/, "$2$"), /bcrypt digest/],
      ["$2b$10$tooshort", /bcrypt digest/],
      [`${good}x`, /bcrypt digest/],
      [good.replace(/.$/, "!"), /bcrypt digest/],
      ["$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", /bcrypt digest/],
    ];
    for (const [digest, rule] of cases) {
      const normalized = normalizeImportedDigest({ digest, hasher: "bcrypt" });
      expect(normalized, digest).toEqual({ field: "password_digest", rule: expect.stringMatching(rule) });
    }
  });

  it("accepts cost 12 and refuses cost 13 (and below 4), naming the cap", () => {
    const good = bcryptjs.hashSync("secret", 4);
    expect(MAX_IMPORTED_BCRYPT_COST).toBe(12);
    expect(normalizeImportedDigest({ digest: good.replace("$04$", "$12$"), hasher: "bcrypt" })).toHaveProperty("stored");
    expect(normalizeImportedDigest({ digest: good.replace("$04$", "$13$"), hasher: "bcrypt" })).toEqual({
      field: "password_digest",
      rule: "must have a bcrypt cost of at most 12",
    });
    expect(normalizeImportedDigest({ digest: good.replace("$04$", "$03$"), hasher: "bcrypt" })).toEqual({
      field: "password_digest",
      rule: "must have a bcrypt cost of at least 4",
    });
  });

  it("never verifies a stored digest over the cap, even one stored before the cap was lowered", async () => {
    const digest = bcryptjs.hashSync("secret", 4).replace("$04$", "$31$");
    expect(await verifyPassword(digest, "secret")).toBe(false);
  });
});
