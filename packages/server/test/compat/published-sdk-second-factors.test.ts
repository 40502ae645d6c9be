import * as OTPAuth from "otpauth";
import { beforeAll, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError, ValidationError, WachtClient, WachtError } from "wacht-published";
import { generateId } from "../../src/ids.js";
import { insertPasskey } from "../../src/passkeys/passkeys.storage.js";
import { uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { RFC3339_UTC } from "../helpers/fixtures.js";
import { newTotpSecret, totpAt } from "../helpers/second-factors.js";
import { useServer } from "../helpers/use-server.js";

/**
 * The eight second-factor and membership methods of the published client (@wacht/backend
 * 1.0.0-beta.20, unchanged), with their error cases, against our server.
 */

async function thrown(call: () => Promise<unknown>): Promise<WachtError> {
  try {
    await call();
  } catch (error) {
    return error as WachtError;
  }
  throw new Error("expected the call to fail");
}

const MISSING_USER = "usr_0000000000nosuchuser0000";

describe.each(DIALECTS)("the published SDK's second-factor methods on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;
  let client: WachtClient;
  beforeAll(() => {
    client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
  });

  const newUser = (fields: Record<string, unknown> = {}) =>
    client.users.createUser({ first_name: "Ada", last_name: "Lovelace", email_address: uniqueEmail("mfa"), skip_password_check: true, ...fields } as any);

  it("createAuthenticator answers {id, otp_url} in the reference format, and an authenticator app's codes work", async () => {
    const user = await newUser();
    const secret = newTotpSecret();
    // Spaces, '-' and lower case, as an admin may paste it.
    const pasted = secret
      .toLowerCase()
      .replace(/(.{4})/g, "$1 ")
      .replace(/ (?=.)/, "-");
    const created = await client.users.createAuthenticator(user.id, { secret: pasted });
    expect(Object.keys(created).sort()).toEqual(["id", "otp_url"]);
    expect(created.otp_url).toBe(
      `otpauth://totp/Wacht:${encodeURIComponent(user.primary_email_address!)}?secret=${secret}&issuer=Wacht&algorithm=SHA1&digits=6&period=30`,
    );
    // The URL is one an authenticator app (here: the otpauth package) reads, and its codes verify.
    const totp = OTPAuth.URI.parse(created.otp_url) as OTPAuth.TOTP;
    expect(totp.secret.base32).toBe(secret);
    const now = Date.now();
    const verified = await call("POST", `/users/${user.id}/verify-totp`, { code: totp.generate({ timestamp: now }) });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect((await client.users.getUser(user.id)) as any).toMatchObject({ totp_enabled: true, has_backup_codes: false, passkeys_count: 0 });
  });

  it("createAuthenticator errors, in the reference order: secret 400, user 404, active one 409, account name 400", async () => {
    const user = await newUser();
    const shortSecret = "JBSWY3DPEHPK3PXP"; // 10 bytes: too short
    for (const secret of [shortSecret, "not base32 at all!", "", "18"]) {
      const error = await thrown(() => client.users.createAuthenticator(user.id, { secret }));
      expect(error, secret).toBeInstanceOf(ValidationError);
      expect(error.statusCode).toBe(400);
    }
    // A bad secret is reported before an unknown user.
    expect(await thrown(() => client.users.createAuthenticator(MISSING_USER, { secret: shortSecret }))).toBeInstanceOf(ValidationError);
    expect(await thrown(() => client.users.createAuthenticator(MISSING_USER, { secret: newTotpSecret() }))).toBeInstanceOf(NotFoundError);
    // A bad account name is reported after an active authenticator.
    expect(await thrown(() => client.users.createAuthenticator(user.id, { secret: newTotpSecret(), account_name: "a:b" }))).toBeInstanceOf(ValidationError);
    await client.users.createAuthenticator(user.id, { secret: newTotpSecret() });
    const second = await thrown(() => client.users.createAuthenticator(user.id, { secret: newTotpSecret(), account_name: "a:b" }));
    expect(second).toBeInstanceOf(ConflictError);
    expect(second.statusCode).toBe(409);
  });

  it("deleteAuthenticator removes it (404 when there is none), and leaves backup codes alone", async () => {
    const user = await newUser();
    const secret = newTotpSecret();
    await client.users.createAuthenticator(user.id, { secret });
    await client.users.regenerateBackupCodes(user.id);
    await client.users.deleteAuthenticator(user.id);
    expect((await client.users.getUser(user.id)) as any).toMatchObject({ totp_enabled: false, has_backup_codes: true });
    expect(await thrown(() => client.users.deleteAuthenticator(user.id))).toBeInstanceOf(NotFoundError);
    expect(await thrown(() => client.users.deleteAuthenticator(MISSING_USER))).toBeInstanceOf(NotFoundError);
    // The removed secret's codes no longer verify; re-enrolling works.
    const stale = await call("POST", `/users/${user.id}/verify-totp`, { code: totpAt(secret, Date.now()) });
    expect(stale.status).toBe(422);
    await client.users.createAuthenticator(user.id, { secret: newTotpSecret() });
  });

  it("regenerateBackupCodes sends no body and gets 12 XXXX-XXXX codes, replacing the old set", async () => {
    const user = await newUser();
    expect((await client.users.getUser(user.id)).has_backup_codes).toBe(false);
    const first = await client.users.regenerateBackupCodes(user.id);
    expect(first.backup_codes).toHaveLength(12);
    for (const code of first.backup_codes) expect(code).toMatch(/^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/);
    expect(new Set(first.backup_codes).size).toBe(12);
    expect((await client.users.getUser(user.id)).has_backup_codes).toBe(true);

    const second = await client.users.regenerateBackupCodes(user.id);
    expect(second.backup_codes.filter((code) => first.backup_codes.includes(code))).toEqual([]);
    const old = await call("POST", `/users/${user.id}/verify-totp`, { code: first.backup_codes[0] });
    expect(old.status).toBe(422);
    const fresh = await call("POST", `/users/${user.id}/verify-totp`, { code: second.backup_codes[0] });
    expect(fresh.body).toEqual({ verified: true, code_type: "backup_code" });
    expect(await thrown(() => client.users.regenerateBackupCodes(MISSING_USER))).toBeInstanceOf(NotFoundError);
  });

  it("listPasskeys (newest first, no credential bytes), renamePasskey and deletePasskey", async () => {
    const user = await newUser();
    expect(await client.users.listPasskeys(user.id)).toEqual([]);
    const now = Date.now();
    const ids: string[] = [];
    for (const [index, name] of ["Laptop", "Phone"].entries()) {
      const id = generateId("pky", now + index);
      ids.push(id);
      await insertPasskey(server.db, server.deploymentId, {
        id,
        userId: user.id,
        credentialId: `credential-${id}`,
        publicKey: "cHVibGljLWtleQ",
        aaguid: "00000000-0000-0000-0000-000000000000",
        name,
        signCount: 3,
        transports: ["internal"],
        deviceType: index === 0 ? "cross-platform" : "platform",
        backedUp: index === 1,
        createdAt: now + index,
      });
    }
    const listed = await client.users.listPasskeys(user.id);
    expect(listed.map((passkey) => passkey.name)).toEqual(["Phone", "Laptop"]);
    expect(listed[0]).toEqual({
      id: ids[1],
      created_at: new Date(now + 1).toISOString(),
      updated_at: new Date(now + 1).toISOString(),
      user_id: user.id,
      name: "Phone",
      sign_count: 3,
      transports: ["internal"],
      last_used_at: null,
      backed_up: true,
      device_type: "platform",
    });
    expect(JSON.stringify(listed)).not.toMatch(/credential-|cHVibGljLWtleQ|00000000-0000/);
    expect((await client.users.getUser(user.id)) as any).toMatchObject({ passkeys_count: 2 });

    expect(await client.users.renamePasskey(user.id, ids[0]!, "  Work laptop  ")).toEqual({});
    const renamed = (await client.users.listPasskeys(user.id)).find((passkey) => passkey.id === ids[0])!;
    expect(renamed.name).toBe("Work laptop");
    expect(renamed.updated_at).toMatch(RFC3339_UTC);
    expect(await thrown(() => client.users.renamePasskey(user.id, ids[0]!, "   "))).toBeInstanceOf(ValidationError);
    expect(await thrown(() => client.users.renamePasskey(user.id, "pky_unknown", "Name"))).toBeInstanceOf(NotFoundError);
    expect(await thrown(() => client.users.renamePasskey(MISSING_USER, ids[0]!, "Name"))).toBeInstanceOf(NotFoundError);

    // Another user's passkey is not this user's.
    const other = await newUser();
    expect(await thrown(() => client.users.deletePasskey(other.id, ids[0]!))).toBeInstanceOf(NotFoundError);
    expect(await client.users.deletePasskey(user.id, ids[0]!)).toEqual({});
    expect((await client.users.listPasskeys(user.id)).map((passkey) => passkey.id)).toEqual([ids[1]]);
    expect(await thrown(() => client.users.deletePasskey(user.id, ids[0]!))).toBeInstanceOf(NotFoundError);
    expect(await thrown(() => client.users.listPasskeys(MISSING_USER))).toBeInstanceOf(NotFoundError);
  });

  it("listOrganizationMemberships and listWorkspaceMemberships are empty lists for a user, 404 for an unknown one", async () => {
    const user = await newUser();
    expect(await client.users.listOrganizationMemberships(user.id)).toEqual([]);
    expect(await client.users.listWorkspaceMemberships(user.id)).toEqual([]);
    for (const kind of ["organization", "workspace"]) {
      const raw = await call("GET", `/users/${user.id}/${kind}-memberships`);
      expect(raw.body).toEqual({ data: [], has_more: false });
    }
    expect(await thrown(() => client.users.listOrganizationMemberships(MISSING_USER))).toBeInstanceOf(NotFoundError);
    expect(await thrown(() => client.users.listWorkspaceMemberships(MISSING_USER))).toBeInstanceOf(NotFoundError);
  });
});
