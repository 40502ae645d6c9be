import { pbkdf2Sync } from "node:crypto";
import bcryptjs from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/passwords/hasher.js";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createUser } from "../helpers/fixtures.js";
import { frontendClient, type FrontendClient } from "../helpers/frontend.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { phcPbkdf2Hash, phpassHash, wordpressBcryptHash } from "../passwords/encoders.js";

const OUR_ARGON2ID = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

// Published vectors (migration-formats.md) and digests from independent encoders, one per format and shape.
const FIREBASE_README = [
  "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==", // hash
  "42xEC+ixf3L2lw==", // salt
  "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==", // signer key
  "Bw==", // salt separator
  "8", // rounds
  "14", // memory cost
].join("$");
const IMPORTS: Array<[label: string, hasher: string, digest: () => string, password: string]> = [
  ["bcrypt (Clerk's vector)", "bcrypt", () => "$2b$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2", "Kk4aPMeiaRpAs2OeX1NE"],
  ["bcrypt $2y$ (bcryptjs, rewritten)", "bcrypt", () => bcryptjs.hashSync("legacy php", 4).replace(/^\$2b\$/, "$2y$"), "legacy php"],
  ["argon2i (Supabase's vector)", "argon2i", () => "$argon2i$v=19$m=16,t=2,p=1$bGJRWThNOHJJTVBSdHl2dQ$NfEnUOuUpb7F2fQkgFUG4g", "test"],
  ["argon2id (Supabase's vector)", "argon2id", () => "$argon2id$v=19$m=32,t=3,p=2$SFVpOWJ0eXhjRzVkdGN1RQ$RXnb8rh7LaDcn07xsssqqulZYXOM/EUCEFMVcAcyYVk", "test"],
  ["Firebase scrypt in Clerk's shape (README vector)", "scrypt_firebase", () => FIREBASE_README, "user1password"],
  [
    "Firebase scrypt as $fbscrypt$ (Supabase's vector)",
    "scrypt_firebase",
    () =>
      "$fbscrypt$v=1,n=14,r=8,p=1,ss=Bw==,sk=ou9tdYTGyYm8kuR6Dt0Bp0kDuAYoXrK16mbZO4yGwAn3oLspjnN0/c41v8xZnO1n14J3MjKj1b2g6AUCAlFwMw==$C0sHCg9ek77hsg==$zKVTMvnWVw5BBOZNUdnsalx4c4c7y/w7IS5p6Ut2+CfEFFlz37J9huyQfov4iizN8dbjvEJlM5tQaJP84+hfTw==",
    "mytestpassword",
  ],
  [
    "Better Auth scrypt (its vector)",
    "scrypt_better_auth",
    () =>
      "c7fe2d68a588f781f07d507a34c73cd1:ead3928d73c9084fa79d6dfae0f1a3b0b7c92784ec9aa4cb31406c494ed98fb8835e475dd6605fedd2b0d2a9fb6ffe3f6d6aa3d9d4a2f8d3d095f874b11a1cbe",
    "admin-password-123",
  ],
  [
    "Django pbkdf2_sha256 (Django's vector)",
    "pbkdf2_sha256_django",
    () => "pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=",
    "lètmein",
  ],
  ["PBKDF2-SHA512 in PHC form", "pbkdf2", () => phcPbkdf2Hash("phc import", "sha512", 10_000, 64), "phc import"],
  [
    "Clerk pbkdf2_sha512",
    "pbkdf2_sha512",
    () => `pbkdf2_sha512$10000$pepper$${pbkdf2Sync("clerk import", "pepper", 10_000, 64, "sha512").toString("hex")}`,
    "clerk import",
  ],
  ["phpass (phpass's vector)", "phpass", () => "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "test12345"],
  ["WordPress phpass", "md5_phpass", () => phpassHash("wordpress import", 13), "wordpress import"],
  ["WordPress 6.8 $wp$2y$", "wordpress", () => wordpressBcryptHash("wordpress 6.8 import"), "wordpress 6.8 import"],
];

describe.each(DIALECTS)("imported password digests on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let frontend: FrontendClient;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
    frontend = frontendClient(server.baseUrl);
  });
  afterAll(async () => server?.close());

  async function storedHash(userId: string): Promise<string | null> {
    const row = await server.db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirstOrThrow();
    return row.password_hash;
  }

  it.each(IMPORTS)("%s: signs in with the original password, and the stored hash becomes our argon2id", async (_label, hasher, digest, password) => {
    const user = await createUser(call, { password: undefined, password_digest: digest(), password_hasher: hasher });
    const imported = await storedHash(user.id);
    expect(imported).not.toMatch(OUR_ARGON2ID);

    expect((await frontend.signIn(user.primary_email_address, `${password}?`)).status).toBe(401);
    expect(await storedHash(user.id)).toBe(imported);

    expect((await frontend.signIn(user.primary_email_address, password)).status).toBe(200);
    const rehashed = await storedHash(user.id);
    expect(rehashed).toMatch(OUR_ARGON2ID);
    expect(await verifyPassword(rehashed!, password)).toBe(true);
    expect((await frontend.signIn(user.primary_email_address, password)).status).toBe(200);
  });

  it("answers 400 naming password_digest and the limit for a digest over a cost cap, and creates no user", async () => {
    const overCaps: Array<[hasher: string, digest: string, limit: string]> = [
      ["bcrypt", bcryptjs.hashSync("x", 4).replace("$04$", "$13$"), "at most 12"],
      ["argon2id", "$argon2id$v=19$m=65537,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", "at most 65536 KiB"],
      ["scrypt_firebase", FIREBASE_README.replace(/\$14$/, "$16"), "at most 262144"],
      ["pbkdf2_sha256_django", "pbkdf2_sha256$1300001$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", "at most 1300000 iterations"],
      ["phpass", "$P$FIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "at most 2^16"],
    ];
    for (const [hasher, digest, limit] of overCaps) {
      const email = uniqueEmail("over-cap");
      const response = await call("POST", "/users", { email_address: email, password_digest: digest, password_hasher: hasher });
      expect(response.status, hasher).toBe(400);
      expect(response.body.details?.password_digest, hasher).toContain(limit);
      expect((await call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.total).toBe(0);
    }
  });
});
