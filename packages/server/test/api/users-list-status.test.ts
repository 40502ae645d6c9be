import { describe, expect, it } from "vitest";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, createUser, getDetails, uniqueTag } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { enrolTotp, issueBackupCodes } from "../helpers/second-factors.js";
import { useServer } from "../helpers/use-server.js";

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

// The status a users table shows per row, carried by the list items themselves (no details read per row).
describe.each(DIALECTS)("status fields of listed users on %s", (dialect) => {
  // The test plays a proxy in front of several addresses, so three wrong guesses lock the account.
  const server = useServer(dialect, { config: { trustProxy: 1, signInFreeAttempts: 5, signInMaxFailures: 10, signInAccountMaxFailures: 3 } });
  const call = server.call;
  const signInFrom = (address: string, identifier: string, password: string) =>
    frontendClient(server.baseUrl).signIn(identifier, password, { "x-forwarded-for": address });

  /** The users listed for a search, by id. */
  async function listed(search: string): Promise<Map<string, any>> {
    const page = await call("GET", `/users?search=${encodeURIComponent(search)}&limit=50`);
    expect(page.status).toBe(200);
    return new Map(page.body.data.map((user: any) => [user.id, user]));
  }

  it("answers a created user with every status field at its starting value", async () => {
    const user = await createUser(call, { last_name: `fresh${uniqueTag()}` });
    expect(user).toMatchObject({ disabled: false, locked: false, last_sign_in_at: null, two_factor_enabled: false });
    expect((await listed(user.last_name)).get(user.id)).toMatchObject({ disabled: false, locked: false, last_sign_in_at: null, two_factor_enabled: false });
  });

  it("lists disabled, locked, signed-in and second-factor users with the same facts their details give", async () => {
    const tag = `st${uniqueTag()}`;
    const [plain, disabled, locked, signedIn, withTotp, withCodes] = await Promise.all(
      ["plain", "disabled", "locked", "signedin", "totp", "codes"].map((name) => createUser(call, { first_name: name, last_name: tag })),
    );
    expect((await call("PATCH", `/users/${disabled.id}`, { disabled: true })).status).toBe(200);
    for (const address of ["198.18.0.1", "198.18.0.2", "198.18.0.3"]) {
      expect((await signInFrom(address, locked.primary_email_address, "a wrong guess")).status).toBe(401);
    }
    expect((await signInFrom("192.0.2.10", signedIn.primary_email_address, GOOD_PASSWORD)).status).toBe(200);
    await enrolTotp(call, withTotp.id);
    await issueBackupCodes(call, withCodes.id);

    const users = await listed(tag);
    expect(users.size).toBe(6);
    const status = (id: string) => {
      const { disabled, locked, last_sign_in_at, two_factor_enabled } = users.get(id);
      return { disabled, locked, signedIn: last_sign_in_at !== null, two_factor_enabled };
    };
    expect(status(plain.id)).toEqual({ disabled: false, locked: false, signedIn: false, two_factor_enabled: false });
    expect(status(disabled.id)).toEqual({ disabled: true, locked: false, signedIn: false, two_factor_enabled: false });
    expect(status(locked.id)).toEqual({ disabled: false, locked: true, signedIn: false, two_factor_enabled: false });
    expect(status(signedIn.id)).toEqual({ disabled: false, locked: false, signedIn: true, two_factor_enabled: false });
    expect(status(withTotp.id)).toEqual({ disabled: false, locked: false, signedIn: false, two_factor_enabled: true });
    expect(status(withCodes.id)).toEqual({ disabled: false, locked: false, signedIn: false, two_factor_enabled: true });
    expect(users.get(signedIn.id).last_sign_in_at).toMatch(RFC3339_UTC);

    for (const id of users.keys()) {
      const details = await getDetails(call, id);
      const item = users.get(id);
      expect({ disabled: item.disabled, locked: item.locked, last_sign_in_at: item.last_sign_in_at }).toEqual({
        disabled: details.disabled,
        locked: details.locked,
        last_sign_in_at: details.last_sign_in_at,
      });
      expect(item.two_factor_enabled).toBe(details.totp_enabled || details.has_backup_codes);
      expect(details.two_factor_enabled).toBe(item.two_factor_enabled);
    }
  });

  it("follows the changes: unlock, enable, removing the authenticator", async () => {
    const tag = `ch${uniqueTag()}`;
    const user = await createUser(call, { last_name: tag });
    await enrolTotp(call, user.id);
    expect((await call("PATCH", `/users/${user.id}`, { disabled: true })).status).toBe(200);
    for (const address of ["198.18.1.1", "198.18.1.2", "198.18.1.3"]) await signInFrom(address, user.primary_email_address, "a wrong guess");
    expect((await listed(tag)).get(user.id)).toMatchObject({ disabled: true, two_factor_enabled: true });

    expect((await call("POST", `/users/${user.id}/unlock`)).status).toBe(200);
    expect((await call("PATCH", `/users/${user.id}`, { disabled: false })).status).toBe(200);
    expect((await call("DELETE", `/users/${user.id}/authenticators`)).status).toBe(200);
    expect((await listed(tag)).get(user.id)).toMatchObject({ disabled: false, locked: false, two_factor_enabled: false });
  });

  it("carries the fields on cursor pages and exact filters too", async () => {
    const tag = `cu${uniqueTag()}`;
    const first = await createUser(call, { last_name: tag });
    const second = await createUser(call, { last_name: tag });
    await issueBackupCodes(call, first.id);
    const after = await call("GET", `/users?search=${tag}&limit=1&starting_after=${second.id}`);
    expect(after.body.data).toEqual([expect.objectContaining({ id: first.id, two_factor_enabled: true, disabled: false, locked: false })]);
    const byEmail = await call("GET", `/users?email_address=${encodeURIComponent(first.primary_email_address)}`);
    expect(byEmail.body.data).toEqual([expect.objectContaining({ id: first.id, two_factor_enabled: true })]);
  });
});
