import bcrypt from "bcryptjs";
import SqliteDatabase from "better-sqlite3";
import { spawn } from "node:child_process";
import { createCipheriv, createHash, randomBytes, scryptSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { apiClient, uniquePhone, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createSecondDeployment, getDetails } from "../helpers/fixtures.js";
import { frontendClient, type FrontendClient } from "../helpers/frontend.js";
import { newTotpSecret, totpAt } from "../helpers/second-factors.js";
import { startServer, type TestServer } from "../helpers/start-server.js";
import { mergeSearchIndexStep } from "../../src/storage/search-index-upkeep.js";
import { WACHT_BIN } from "../helpers/wacht-bin.js";

/**
 * `wacht import` and `wacht export`, spawned as an operator runs them, against the database of a
 * running test server; imported users then sign in over HTTP with their old passwords. Each
 * provider's file is written here in that provider's own format, with digests from an
 * independent implementation (bcryptjs, node:crypto) or the providers' published vectors.
 * Needs the built bin: `npm run build -w @wacht/server`.
 */
// Each test spawns the bin a few times and signs users in (bcrypt, scrypt): slow on a shared machine.
vi.setConfig({ testTimeout: 180_000 });

const BIN = WACHT_BIN;
const PHC_ARGON2ID = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;

// Published vectors (docs/migration-formats.md): Clerk's sample CSV and WorkOS's example, Auth0's import schema page,
// Supabase's password_test.go, the firebase/scrypt README, a better-auth 1.7.25 sign-up.
const CLERK_VECTOR = { password: "Kk4aPMeiaRpAs2OeX1NE", digest: "$2b$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2" };
const CLERK_VECTOR_2A = { password: "password", digest: "$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ." };
const AUTH0_VECTOR = { password: "hello", digest: "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K" };
const SUPABASE_ARGON2ID = { password: "test", digest: "$argon2id$v=19$m=32,t=3,p=2$SFVpOWJ0eXhjRzVkdGN1RQ$RXnb8rh7LaDcn07xsssqqulZYXOM/EUCEFMVcAcyYVk" };
const SUPABASE_FBSCRYPT = {
  password: "mytestpassword",
  digest:
    "$fbscrypt$v=1,n=14,r=8,p=1,ss=Bw==,sk=ou9tdYTGyYm8kuR6Dt0Bp0kDuAYoXrK16mbZO4yGwAn3oLspjnN0/c41v8xZnO1n14J3MjKj1b2g6AUCAlFwMw==$C0sHCg9ek77hsg==$zKVTMvnWVw5BBOZNUdnsalx4c4c7y/w7IS5p6Ut2+CfEFFlz37J9huyQfov4iizN8dbjvEJlM5tQaJP84+hfTw==",
};
const FIREBASE_PROJECT = {
  signerKey: "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
  saltSeparator: "Bw==",
  rounds: 8,
  memCost: 14,
};
const FIREBASE_VECTOR = {
  password: "user1password",
  salt: "42xEC+ixf3L2lw==",
  hash: "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
};
const BETTER_AUTH_VECTOR = {
  password: "admin-password-123",
  digest:
    "c7fe2d68a588f781f07d507a34c73cd1:ead3928d73c9084fa79d6dfae0f1a3b0b7c92784ec9aa4cb31406c494ed98fb8835e475dd6605fedd2b0d2a9fb6ffe3f6d6aa3d9d4a2f8d3d095f874b11a1cbe",
};

/** Firebase's modified scrypt, written from its description with node:crypto (independent of the server's code). */
function firebaseHash(password: string, saltBase64: string): string {
  const key = scryptSync(password, Buffer.concat([Buffer.from(saltBase64, "base64"), Buffer.from(FIREBASE_PROJECT.saltSeparator, "base64")]), 32, {
    N: 2 ** FIREBASE_PROJECT.memCost,
    r: FIREBASE_PROJECT.rounds,
    p: 1,
    maxmem: 64 * 1024 * 1024,
  });
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.from(FIREBASE_PROJECT.signerKey, "base64")), cipher.final()]).toString("base64");
}

/** Better Auth's scrypt: the salt's hex text is the salt (docs/migration-formats.md §1.5). */
function betterAuthHash(password: string): string {
  const salt = randomBytes(16).toString("hex");
  const key = scryptSync(password.normalize("NFKC"), salt, 64, { N: 16384, r: 16, p: 1, maxmem: 64 * 1024 * 1024 });
  return `${salt}:${key.toString("hex")}`;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe.each(DIALECTS)("wacht import / export on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  let frontend: FrontendClient;
  let dir: string;
  const tag = randomBytes(3).toString("hex");
  const email = (label: string) => `${label}.${tag}@example.com`;

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: npm run build -w @wacht/server first.`);
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
    frontend = frontendClient(server.baseUrl);
    dir = mkdtempSync(join(tmpdir(), "wacht-import-"));
  });
  afterAll(async () => {
    await server?.close();
    if (dir && !process.env.KEEP_IMPORT_DIR) rmSync(dir, { recursive: true, force: true });
  });

  function wacht(args: string[]): Promise<Result> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith("WACHT_") || ["PORT", "HOST", "DATABASE_URL"].includes(name)) delete env[name];
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        // The test server's key (helpers/start-server.ts): TOTP secrets the CLI seals, the server opens.
        env: {
          ...env,
          DATABASE_URL: server.databaseUrl,
          WACHT_LOG_LEVEL: "warn",
          WACHT_ENCRYPTION_KEY: createHash("sha256").update(server.databaseUrl).digest("hex"),
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("error", reject);
      child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    });
  }

  async function importFile(args: string[]): Promise<Result> {
    const result = await wacht(["import", ...args]);
    expect(result.code, result.stderr).toBe(0);
    return result;
  }

  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  async function userByExternalId(externalId: string, api: ApiCall = call): Promise<any> {
    const page = await api("GET", `/users?external_id=${encodeURIComponent(externalId)}`);
    expect(page.body.total, `user ${externalId}`).toBe(1);
    return getDetails(api, page.body.data[0].id);
  }

  const storedHash = async (userId: string) =>
    (await server.db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirstOrThrow()).password_hash;

  /** The user signs in with the password it had elsewhere, and from then on holds our argon2id. */
  async function expectSignsIn(identifier: string, password: string, userId: string) {
    expect(await storedHash(userId)).not.toMatch(PHC_ARGON2ID);
    expect((await frontend.signIn(identifier, `${password}-wrong`)).status).toBe(401);
    const response = await frontend.signIn(identifier, password);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(await storedHash(userId)).toMatch(PHC_ARGON2ID);
  }

  it("clerk: dashboard CSV with pipe-separated addresses and a TOTP secret; rejects file; a re-run skips; --dry-run writes nothing", async () => {
    const phone = uniquePhone();
    const totpSecret = newTotpSecret();
    const header =
      "id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher";
    const rows = [
      `user_2ada${tag},"Ada, Countess",Lovelace,ada_${tag},${email("ada")},${phone},${email("ada")}|${email("ada.work")},${email("ada.old")},${phone},,${totpSecret},${CLERK_VECTOR.digest},bcrypt`,
      `user_2bob${tag},"Bob ""The Builder""",,,${email("bob")},,${email("bob")},,,,,${CLERK_VECTOR_2A.digest},bcrypt`,
      `user_2bad${tag},Bad,,,not-an-email,,,,,,,,`,
      `user_2nop${tag},"Multi\r\nLine",,,${email("nopass")},,${email("nopass")},,,,,,`,
    ];
    const file = write("clerk.csv", [header, ...rows].join("\r\n") + "\r\n");
    const rejects = join(dir, "clerk-rejects.jsonl");

    const dry = await importFile(["--from", "clerk", file, "--dry-run"]);
    expect(dry.stdout).toMatch(/Dry run \(nothing written\): would have created 3, updated 0, skipped 0, failed 1 of 4 records/);
    expect((await call("GET", `/users?external_id=user_2ada${tag}`)).body.total).toBe(0);

    const run = await importFile(["--from", "clerk", file, "--rejects", rejects]);
    expect(run.stdout).toMatch(/created 3, updated 0, skipped 0, failed 1 of 4 records/);
    expect(run.stdout).not.toMatch(/Not carried over/);
    // Not a terminal: plain progress lines, no carriage returns.
    expect(run.stderr).toMatch(/^import: 100% 4 read: 3 created, 0 updated, 0 skipped, 1 failed; \d+ users\/s$/m);
    expect(run.stderr).not.toContain("\r");
    const rejected = readFileSync(rejects, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(rejected).toEqual([
      expect.objectContaining({ location: "row 3", code: "validation_failed", field: "email_addresses[0].email", external_id: `user_2bad${tag}` }),
    ]);

    const ada = await userByExternalId(`user_2ada${tag}`);
    expect(ada).toMatchObject({
      first_name: "Ada, Countess",
      last_name: "Lovelace",
      username: `ada_${tag}`,
      primary_email_address: email("ada"),
      primary_phone_number: phone,
    });
    expect(ada.email_addresses.map((e: any) => [e.email, e.verified, e.is_primary])).toEqual([
      [email("ada"), true, true],
      [email("ada.work"), true, false],
      [email("ada.old"), false, false],
    ]);
    expect((await userByExternalId(`user_2bob${tag}`)).first_name).toBe('Bob "The Builder"');
    const nopass = await userByExternalId(`user_2nop${tag}`);
    expect(nopass).toMatchObject({ first_name: "Multi\r\nLine", has_password: false });

    // Ada kept her authenticator: her old password, then the code her app shows.
    expect(ada.totp_enabled).toBe(true);
    expect((await frontend.signIn(email("ada"), `${CLERK_VECTOR.password}-wrong`)).status).toBe(401);
    const passwordStep = await frontend.signIn(email("ada"), CLERK_VECTOR.password);
    expect(passwordStep.body.status).toBe("needs_second_factor");
    const totpStep = await fetch(`${server.baseUrl}/sign-in/second-factor`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sign_in_id: passwordStep.body.sign_in_id, strategy: "totp", code: totpAt(totpSecret, Date.now()) }),
    });
    expect(totpStep.status).toBe(200);
    await expectSignsIn(email("bob"), CLERK_VECTOR_2A.password, (await userByExternalId(`user_2bob${tag}`)).id);

    const again = await importFile(["--from", "clerk", file]);
    expect(again.stdout).toMatch(/created 0, updated 0, skipped 3, failed 1 of 4 records/);
  });

  it("auth0: bulk-export NDJSON joined with the password-hash export by user id and by email; social identities", async () => {
    const oid = randomBytes(12).toString("hex");
    const legacyPassword = "legacy secret 9";
    const users = [
      {
        user_id: `auth0|${oid}`,
        email: email("auth0a"),
        email_verified: true,
        name: email("auth0a"),
        given_name: "Alan",
        family_name: "Turing",
        nickname: "alan",
        picture: "https://example.com/a.png",
        identities: [{ connection: "Username-Password-Authentication", provider: "auth0", user_id: oid, isSocial: false }],
        app_metadata: { roles: ["admin"] },
        user_metadata: { theme: "dark" },
        created_at: "2021-03-04T05:06:07.000Z",
        updated_at: "2024-01-01T00:00:00.000Z",
        last_login: "2024-01-01T00:00:00.000Z",
        logins_count: 12,
      },
      {
        user_id: `auth0|legacy-${tag}`,
        email: email("auth0b"),
        email_verified: false,
        name: "Barbara Liskov",
        created_at: "2022-01-01T00:00:00.000Z",
        blocked: true,
      },
      {
        user_id: `github|${tag}77`,
        email: email("auth0gh"),
        email_verified: true,
        name: "Octo Cat",
        identities: [{ connection: "github", provider: "github", user_id: Number.parseInt(tag, 16), isSocial: true }],
        created_at: "2023-01-01T00:00:00.000Z",
      },
    ];
    const hashes = [
      {
        _id: { $oid: oid },
        email: email("auth0a"),
        email_verified: true,
        passwordHash: AUTH0_VECTOR.digest,
        password_set_date: { $date: "2021-03-04T05:06:07.000Z" },
        tenant: "acme",
        connection: "Username-Password-Authentication",
        _tmp_is_unique: true,
      },
      {
        _id: { $oid: randomBytes(12).toString("hex") },
        alt_id: `legacy-${tag}`,
        email: email("auth0b"),
        passwordHash: bcrypt.hashSync(legacyPassword, 4),
        tenant: "acme",
        connection: "Username-Password-Authentication",
      },
    ];
    const usersFile = write("auth0.json", users.map((u) => JSON.stringify(u)).join("\n") + "\n");
    const hashesFile = write("auth0-hashes.json", hashes.map((h) => JSON.stringify(h)).join("\n"));
    const run = await importFile(["--from", "auth0", usersFile, "--hashes", hashesFile]);
    expect(run.stdout).toMatch(/created 3, updated 0, skipped 0, failed 0 of 3 records/);
    expect(run.stdout).toMatch(/Not carried over: .*picture \(1\)/);

    const alan = await userByExternalId(`auth0|${oid}`);
    expect(alan).toMatchObject({
      first_name: "Alan",
      last_name: "Turing",
      created_at: "2021-03-04T05:06:07.000Z",
      public_metadata: { theme: "dark" },
      private_metadata: { roles: ["admin"] },
      social_connections: [],
    });
    await expectSignsIn(email("auth0a"), AUTH0_VECTOR.password, alan.id);

    const barbara = await userByExternalId(`auth0|legacy-${tag}`);
    expect(barbara).toMatchObject({ first_name: "Barbara", last_name: "Liskov", disabled: true, has_password: true, primary_email_address: null });
    expect(barbara.email_addresses.map((e: any) => [e.email, e.verified])).toEqual([[email("auth0b"), false]]);

    const octo = await userByExternalId(`github|${tag}77`);
    expect(octo).toMatchObject({ has_password: false, primary_email_address: email("auth0gh") });
    expect(octo.social_connections.map((c: any) => [c.provider, c.provider_user_id, c.email_address])).toEqual([
      ["github_oauth", String(Number.parseInt(tag, 16)), email("auth0gh")],
    ]);
  });

  it("supabase: auth.users as CSV with auth.identities as NDJSON; bcrypt $2a$, argon2id and $fbscrypt$ digests; deleted users rejected", async () => {
    const ids = Array.from({ length: 4 }, () => crypto.randomUUID());
    const bcryptPassword = "supabase pw 1";
    const bcrypt2a = bcrypt.hashSync(bcryptPassword, 4).replace(/^\$2b\$/, "$2a$");
    const phone = uniquePhone().slice(1);
    const columns =
      "instance_id,id,aud,role,email,encrypted_password,email_confirmed_at,invited_at,confirmation_token,phone,phone_confirmed_at,last_sign_in_at,raw_app_meta_data,raw_user_meta_data,is_super_admin,created_at,updated_at,banned_until,deleted_at,is_sso_user,is_anonymous".split(
        ",",
      );
    const nil = "00000000-0000-0000-0000-000000000000";
    const appMeta = (provider: string) => JSON.stringify({ provider, providers: [provider] });
    // As psql's \copy … CSV HEADER writes them: NULL empty, booleans t/f, jsonb as JSON text, quoted where needed.
    const row = (values: Record<string, string>) =>
      columns
        .map((column) => values[column] ?? "")
        .map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field))
        .join(",");
    const base = { instance_id: nil, aud: "authenticated", role: "authenticated", is_sso_user: "f", is_anonymous: "f" };
    const rows = [
      row({
        ...base,
        id: ids[0]!,
        email: email("supa1"),
        encrypted_password: bcrypt2a,
        email_confirmed_at: "2024-01-15 10:30:00.123456+00",
        phone,
        phone_confirmed_at: "2024-01-15 10:31:00+00",
        last_sign_in_at: "2024-02-01 00:00:00+00",
        raw_app_meta_data: appMeta("email"),
        raw_user_meta_data: JSON.stringify({ full_name: "Linus Torvalds", sub: ids[0] }),
        created_at: "2024-01-15 10:30:00.123456+00",
        updated_at: "2024-01-15 10:30:00+00",
      }),
      row({
        ...base,
        id: ids[1]!,
        email: email("supa2"),
        encrypted_password: SUPABASE_ARGON2ID.digest,
        email_confirmed_at: "2024-01-16 00:00:00+00",
        raw_app_meta_data: appMeta("email"),
        raw_user_meta_data: "{}",
        created_at: "2024-01-16 00:00:00+00",
        updated_at: "2024-01-16 00:00:00+00",
        banned_until: "2999-01-01 00:00:00+00",
      }),
      row({
        ...base,
        id: ids[2]!,
        email: email("supa3"),
        encrypted_password: SUPABASE_FBSCRYPT.digest,
        email_confirmed_at: "2024-01-17 00:00:00+00",
        raw_app_meta_data: appMeta("google"),
        raw_user_meta_data: "{}",
        created_at: "2024-01-17 00:00:00+00",
        updated_at: "2024-01-17 00:00:00+00",
      }),
      row({
        ...base,
        id: ids[3]!,
        email: email("supa4"),
        raw_app_meta_data: "{}",
        raw_user_meta_data: "{}",
        created_at: "2024-01-18 00:00:00+00",
        updated_at: "2024-01-18 00:00:00+00",
        deleted_at: "2024-03-01 00:00:00+00",
      }),
    ];
    const header = columns.join(",");
    const usersFile = write("supabase-users.csv", [header, ...rows].join("\n") + "\n");
    const identities = [
      {
        id: crypto.randomUUID(),
        provider_id: ids[0],
        user_id: ids[0],
        identity_data: { sub: ids[0], email: email("supa1") },
        provider: "email",
        email: email("supa1"),
      },
      {
        id: crypto.randomUUID(),
        provider_id: `10769${tag}`,
        user_id: ids[2],
        identity_data: { sub: `10769${tag}`, email: email("supa3"), name: "G User" },
        provider: "google",
        email: email("supa3"),
      },
    ];
    const identitiesFile = write("supabase-identities.json", identities.map((i) => JSON.stringify(i)).join("\n"));
    const rejects = join(dir, "supabase-rejects.jsonl");
    const run = await importFile(["--from", "supabase", usersFile, "--identities", identitiesFile, "--rejects", rejects]);
    expect(run.stdout, readFileSync(rejects, "utf8")).toMatch(/created 3, updated 0, skipped 0, failed 1 of 4 records/);
    expect(readFileSync(rejects, "utf8")).toContain("deleted_at is set");

    const linus = await userByExternalId(ids[0]!);
    expect(linus).toMatchObject({
      first_name: "Linus",
      last_name: "Torvalds",
      created_at: "2024-01-15T10:30:00.123Z",
      primary_phone_number: `+${phone}`,
      private_metadata: { provider: "email" },
    });
    await expectSignsIn(email("supa1"), bcryptPassword, linus.id);

    const banned = await userByExternalId(ids[1]!);
    expect(banned.disabled).toBe(true);
    // Disabled users cannot sign in, so the argon2id digest is shown to work on an enabled copy below.
    const google = await userByExternalId(ids[2]!);
    expect(google.social_connections.map((c: any) => [c.provider, c.provider_user_id])).toEqual([["google_oauth", `10769${tag}`]]);
    await expectSignsIn(email("supa3"), SUPABASE_FBSCRYPT.password, google.id);

    // The same export as JSON (json_agg): the argon2id user, enabled this time.
    const jsonUser = {
      id: crypto.randomUUID(),
      email: email("supa5"),
      encrypted_password: SUPABASE_ARGON2ID.digest,
      email_confirmed_at: "2024-01-19T00:00:00Z",
      raw_user_meta_data: { name: "Json" },
      created_at: "2024-01-19T00:00:00Z",
      deleted_at: null,
      is_anonymous: false,
    };
    await importFile(["--from", "supabase", write("supabase-users.json", JSON.stringify([jsonUser]))]);
    const fromJson = await userByExternalId(jsonUser.id);
    expect(fromJson.first_name).toBe("Json");
    await expectSignsIn(email("supa5"), SUPABASE_ARGON2ID.password, fromJson.id);
  });

  it("firebase: auth:export JSON with the project's hash parameters as flags", async () => {
    const secondSalt = randomBytes(12).toString("base64");
    const users = [
      {
        localId: `fb1${tag}`,
        email: email("fb1"),
        emailVerified: true,
        passwordHash: FIREBASE_VECTOR.hash,
        salt: FIREBASE_VECTOR.salt,
        displayName: "Fire Base",
        photoUrl: "https://example.com/p.png",
        lastSignedInAt: "1704067200000",
        createdAt: "1704067200000",
        customAttributes: '{"admin": true}',
        providerUserInfo: [{ providerId: "google.com", rawId: `g${tag}`, email: email("fb1"), displayName: "Fire Base" }],
      },
      {
        localId: `fb2${tag}`,
        email: email("fb2"),
        emailVerified: true,
        passwordHash: firebaseHash("second firebase pw", secondSalt),
        salt: secondSalt,
        createdAt: "1704153600000",
        disabled: false,
      },
      { localId: `fb3${tag}`, phoneNumber: uniquePhone(), createdAt: "1704240000000", disabled: true },
    ];
    const file = write("firebase.json", `{"users": [\n${users.map((u) => JSON.stringify(u, null, 2)).join(",\n")}\n]}\n`);
    const flags = ["--hash-key", FIREBASE_PROJECT.signerKey, "--salt-separator", FIREBASE_PROJECT.saltSeparator, "--rounds", "8", "--mem-cost", "14"];
    const run = await importFile(["--from", "firebase", file, ...flags]);
    expect(run.stdout).toMatch(/created 3, updated 0, skipped 0, failed 0 of 3 records/);
    expect(run.stdout).toMatch(/Not carried over: .*photoUrl \(1\)/);

    const first = await userByExternalId(`fb1${tag}`);
    expect(first).toMatchObject({ first_name: "Fire", last_name: "Base", created_at: "2024-01-01T00:00:00.000Z", public_metadata: { admin: true } });
    expect(first.social_connections.map((c: any) => [c.provider, c.provider_user_id])).toEqual([["google_oauth", `g${tag}`]]);
    await expectSignsIn(email("fb1"), FIREBASE_VECTOR.password, first.id);
    await expectSignsIn(email("fb2"), "second firebase pw", (await userByExternalId(`fb2${tag}`)).id);
    expect(await userByExternalId(`fb3${tag}`)).toMatchObject({ disabled: true, has_password: false });

    const incomplete = await wacht(["import", "--from", "firebase", file, "--hash-key", "x"]);
    expect(incomplete.code).toBe(2);
    expect(incomplete.stderr).toContain("all four");
  });

  it("better-auth: user and account tables from its SQLite file, and as JSON", async () => {
    const path = join(dir, "better-auth.db");
    const database = new SqliteDatabase(path);
    // better-auth 1.7.25's SQLite schema (docs/migration-formats.md §1.5).
    database.exec(`CREATE TABLE "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null);
      CREATE TABLE "account" ("id" text not null primary key, "accountId" text not null, "providerId" text not null, "userId" text not null references "user" ("id") on delete cascade, "accessToken" text, "refreshToken" text, "idToken" text, "accessTokenExpiresAt" date, "refreshTokenExpiresAt" date, "scope" text, "password" text, "createdAt" date not null, "updatedAt" date not null);
      CREATE INDEX "account_userId_idx" on "account" ("userId");`);
    const insertUser = database.prepare(`INSERT INTO "user" VALUES (?, ?, ?, ?, NULL, ?, ?)`);
    const insertAccount = database.prepare(
      `INSERT INTO "account" (id, accountId, providerId, userId, accessToken, password, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insertUser.run(`ba1${tag}`, "Admin User", email("ba1"), 1, "2025-01-02T03:04:05.000Z", "2025-01-02T03:04:05.000Z");
    insertAccount.run(
      `acc1${tag}`,
      `ba1${tag}`,
      "credential",
      `ba1${tag}`,
      null,
      BETTER_AUTH_VECTOR.digest,
      "2025-01-02T03:04:05.000Z",
      "2025-01-02T03:04:05.000Z",
    );
    insertAccount.run(`acc2${tag}`, `gh${tag}`, "github", `ba1${tag}`, "gho_secret_token", null, "2025-01-03T00:00:00.000Z", "2025-01-03T00:00:00.000Z");
    insertUser.run(`ba2${tag}`, "Second", email("ba2"), 0, "2025-02-01T00:00:00.000Z", "2025-02-01T00:00:00.000Z");
    insertAccount.run(
      `acc3${tag}`,
      `ba2${tag}`,
      "credential",
      `ba2${tag}`,
      null,
      betterAuthHash("second ba pw"),
      "2025-02-01T00:00:00.000Z",
      "2025-02-01T00:00:00.000Z",
    );
    database.close();

    const run = await importFile(["--from", "better-auth", path]);
    expect(run.stdout).toMatch(/created 2, updated 0, skipped 0, failed 0 of 2 records/);
    const admin = await userByExternalId(`ba1${tag}`);
    expect(admin).toMatchObject({ first_name: "Admin", last_name: "User", created_at: "2025-01-02T03:04:05.000Z", primary_email_address: email("ba1") });
    expect(admin.social_connections.map((c: any) => [c.provider, c.provider_user_id])).toEqual([["github_oauth", `gh${tag}`]]);
    await expectSignsIn(email("ba1"), BETTER_AUTH_VECTOR.password, admin.id);
    const second = await userByExternalId(`ba2${tag}`);
    // An unverified email cannot sign in, so its password is proven by the JSON import below.
    expect(second.email_addresses.map((e: any) => e.verified)).toEqual([false]);

    const jsonUsers = [
      {
        id: `ba3${tag}`,
        name: "Json User",
        email: email("ba3"),
        emailVerified: true,
        image: null,
        createdAt: "2025-03-01T00:00:00.000Z",
        updatedAt: "2025-03-01T00:00:00.000Z",
      },
    ];
    const jsonAccounts = [
      {
        id: `acc4${tag}`,
        accountId: `ba3${tag}`,
        providerId: "credential",
        userId: `ba3${tag}`,
        password: betterAuthHash("third ba pw"),
        createdAt: "2025-03-01T00:00:00.000Z",
      },
    ];
    await importFile([
      "--from",
      "better-auth",
      write("ba-user.json", JSON.stringify(jsonUsers)),
      "--accounts",
      write("ba-account.json", JSON.stringify(jsonAccounts)),
    ]);
    await expectSignsIn(email("ba3"), "third ba pw", (await userByExternalId(`ba3${tag}`)).id);
  });

  it("export → import into an empty deployment gives back the same users; hashes and second factors only when asked, with a warning", async () => {
    const withCodes = await call("POST", "/users/import", {
      users: [{ external_id: `codes-${tag}`, email_address: email("codes"), totp_secret: newTotpSecret(), backup_codes: ["Code1234", "Code5678"] }],
    });
    expect(withCodes.body).toMatchObject({ created: 1 });
    const plain = await wacht(["export"]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain("password_digest");
    expect(plain.stdout).not.toContain("totp_secret");
    expect(plain.stdout).not.toContain("backup_codes");
    expect(plain.stderr).not.toMatch(/WARNING/);

    const withHashes = await wacht(["export", "--include-password-hashes", "--include-second-factors"]);
    expect(withHashes.code).toBe(0);
    expect(withHashes.stderr).toMatch(/WARNING: the output holds every user's password hash/);
    expect(withHashes.stderr).toMatch(/WARNING: the output holds every user's TOTP secret in the clear/);
    const lines = withHashes.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.some((line) => JSON.parse(line).password_digest?.startsWith("$argon2id$"))).toBe(true);
    const codesLine = JSON.parse(lines.find((line) => line.includes(`codes-${tag}`))!);
    expect(codesLine.totp_secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(codesLine.backup_codes).toEqual([expect.stringMatching(/^\$argon2id\$/), expect.stringMatching(/^\$argon2id\$/)]);

    const target = await createSecondDeployment(server, `roundtrip-${dialect}`);
    const file = write("export.jsonl", withHashes.stdout);
    const run = await importFile(["--from", "jsonl", file, "--deployment", target.deploymentId]);
    expect(run.stdout).toContain(`created ${lines.length}, updated 0, skipped 0, failed 0 of ${lines.length} records`);

    const detailsOf = async (api: ApiCall) => {
      const page = await api("GET", "/users?limit=500&sort_key=created_at&sort_order=asc");
      return Promise.all(page.body.data.map((user: any) => getDetails(api, user.id)));
    };
    const comparable = (details: any) => {
      const { id: _id, deployment_id: _d, updated_at: _u, primary_email_address_id: _pe, primary_phone_number_id: _pp, last_sign_in_at: _l, ...rest } = details;
      return {
        ...rest,
        email_addresses: details.email_addresses.map((e: any) => ({ email: e.email, verified: e.verified, is_primary: e.is_primary })),
        phone_numbers: details.phone_numbers.map((p: any) => ({
          phone_number: p.phone_number,
          country_code: p.country_code,
          verified: p.verified,
          is_primary: p.is_primary,
        })),
        social_connections: details.social_connections.map((c: any) => ({
          provider: c.provider,
          provider_user_id: c.provider_user_id,
          email_address: c.email_address,
          linked: c.user_email_address_id !== null,
        })),
      };
    };
    const byKey = (list: any[]) =>
      list.map(comparable).sort((a, b) => String(a.external_id ?? a.primary_email_address).localeCompare(String(b.external_id ?? b.primary_email_address)));
    const [source, copy] = [byKey(await detailsOf(call)), byKey(await detailsOf(target.call))];
    expect(copy).toEqual(source);
    // Hashes came across too: the same digests, byte for byte.
    const hashesOf = async (deploymentId: string) =>
      (
        await server.db.selectFrom("users").select(["external_id", "password_hash"]).where("deployment_id", "=", deploymentId).orderBy("external_id").execute()
      ).map((r) => [r.external_id, r.password_hash]);
    expect(await hashesOf(target.deploymentId)).toEqual(await hashesOf(server.deploymentId));
    // And the second factors: the same backup code hashes, an authenticator with the same secret (sealed anew).
    const codesOf = async (api: ApiCall) => {
      const userId = (await api("GET", `/users?external_id=codes-${tag}`)).body.data[0].id;
      return (await server.db.selectFrom("backup_codes").select("code_hash").where("user_id", "=", userId).execute()).map((row) => row.code_hash).sort();
    };
    expect(await codesOf(target.call)).toEqual(await codesOf(call));
    expect((await detailsOf(target.call)).filter((details: any) => details.totp_enabled).length).toBe(2);
    const reexport = await wacht(["export", "--include-second-factors", "--deployment", target.deploymentId]);
    expect(JSON.parse(reexport.stdout.split("\n").find((line) => line.includes(`codes-${tag}`))!).totp_secret).toBe(codesLine.totp_secret);

    // A re-run of the same file skips everyone.
    const again = await importFile(["--from", "jsonl", file, "--deployment", target.deploymentId]);
    expect(again.stdout).toContain(`skipped ${lines.length}, failed 0`);
  });

  it("--emit-events queues each created user's user.created; without it none; each batch is audited as wacht import", async () => {
    const file = (name: string, externalId: string) =>
      write(name, JSON.stringify({ external_id: externalId, email_address: email(externalId), public_metadata: { via: "cli" } }) + "\n");
    const queued = async (userId: string) =>
      (await server.db.selectFrom("webhook_events").select(["event_type", "payload"]).execute())
        .filter((row) => row.payload.includes(userId))
        .map((row) => row.event_type);
    await importFile(["--from", "jsonl", file("quiet.jsonl", `quiet-${tag}`)]);
    await importFile(["--from", "jsonl", file("loud.jsonl", `loud-${tag}`), "--emit-events"]);
    const quiet = await userByExternalId(`quiet-${tag}`);
    const loud = await userByExternalId(`loud-${tag}`);
    expect(await queued(quiet.id)).toEqual([]);
    expect(await queued(loud.id)).toEqual(["user.created"]);
    const [row] = (await server.db.selectFrom("webhook_events").select("payload").execute()).filter((r) => r.payload.includes(loud.id));
    expect(JSON.parse(row!.payload).data).toEqual(loud);

    const audits = (await call("GET", "/audit-logs?action=user.import&limit=5")).body.data;
    expect(audits[0]).toMatchObject({
      actor: { type: "cli", name: "wacht import" },
      target: { type: "deployment", id: server.deploymentId },
      changes: ["email_address", "external_id", "public_metadata"],
    });
  });

  it("merges the search index at its end: the imported users are found, and no merge work is left", async () => {
    const lines = Array.from({ length: 3 }, (_, i) => JSON.stringify({ external_id: `merged-${tag}-${i}`, email_address: email(`merged${i}`) }));
    // One batch per user: one transaction each, so the import itself leaves several index segments.
    await importFile(["--from", "jsonl", write("merged.jsonl", lines.join("\n")), "--batch-size", "1"]);
    expect(await mergeSearchIndexStep(server.db)).toBe(false);
    const found = await call("GET", `/users?search=${encodeURIComponent(`merged1.${tag}`)}`);
    expect(found.body.data.map((user: any) => user.external_id)).toEqual([`merged-${tag}-1`]);
  });

  it("imports through a running server with --url and --api-key, in batches", async () => {
    const target = await createSecondDeployment(server, `url-${dialect}`);
    const { secret } = await (await import("../../src/api-keys/api-keys.service.js")).createApiKey(server.db, target.deploymentId, "import");
    const lines = Array.from({ length: 25 }, (_, i) =>
      JSON.stringify({ external_id: `url-${tag}-${i}`, email_address: email(`url${i}`), password_digest: AUTH0_VECTOR.digest, password_hasher: "bcrypt" }),
    );
    lines.splice(7, 0, "{not json");
    const file = write("url.jsonl", lines.join("\n"));
    const run = await importFile(["--from", "jsonl", file, "--url", server.baseUrl, "--api-key", secret, "--batch-size", "10"]);
    expect(run.stdout).toMatch(/created 25, updated 0, skipped 0, failed 1 of 26 records/);
    expect((await target.call("GET", "/users?limit=1")).body.total).toBe(25);
    const rerun = await importFile(["--from", "jsonl", file, "--url", server.baseUrl, "--api-key", secret, "--on-conflict", "update"]);
    expect(rerun.stdout).toMatch(/created 0, updated 25, skipped 0, failed 1 of 26 records/);
  });
});
