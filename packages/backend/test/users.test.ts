import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError, users, WachtClient, type CreateUserRequest } from "../src/index.js";
import { startRealServer, tinyPng, uniqueEmail, uniquePhone, type RealServer } from "./helpers/real-server.js";

let server: RealServer;
let client: WachtClient;

beforeAll(async () => {
  server = await startRealServer();
  client = new WachtClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
}, 60_000);
afterAll(() => server?.close());

const createTestUser = (request: Partial<CreateUserRequest> = {}) =>
  client.users.createUser({ first_name: "Test", last_name: "User", email_address: uniqueEmail(), skip_password_check: true, ...request });

describe("users", () => {
  it("creates a user from JSON, with verified primary identifiers and metadata", async () => {
    const email = uniqueEmail("alice");
    const phone = uniquePhone();
    const created = await client.users.createUser({
      first_name: "Alice",
      last_name: "Smith",
      email_address: email,
      phone_number: phone,
      username: `alice_${Date.now()}`,
      password: "correct horse battery staple",
      public_metadata: { role: "superuser" },
      private_metadata: { crm: 7 },
    });
    expect(created).toMatchObject({ first_name: "Alice", last_name: "Smith", primary_email_address: email, primary_phone_number: phone });
    expect(created.id).toMatch(/^usr_/);

    const details = await client.users.getUser(created.id);
    expect(details).toMatchObject({
      id: created.id,
      public_metadata: { role: "superuser" },
      private_metadata: { crm: 7 },
      has_password: true,
      disabled: false,
    });
    expect(details.email_addresses).toEqual([expect.objectContaining({ email, is_primary: true, verified: true })]);
    expect(details.phone_numbers).toEqual([expect.objectContaining({ phone_number: phone, is_primary: true, verified: true })]);
    expect(details.primary_email_address_id).toBe(details.email_addresses[0]!.id);
  });

  it("creates a user with a profile image, sent as multipart", async () => {
    const created = await createTestUser({ profile_image: tinyPng(), public_metadata: { plan: "pro" } });
    expect(created.profile_picture_url).toEqual(expect.any(String));
    expect((await client.users.getUser(created.id)).public_metadata).toEqual({ plan: "pro" });
  });

  it("updates names and replaces metadata, from JSON and from multipart", async () => {
    const { id } = await createTestUser({ public_metadata: { old: true } });
    const updated = await client.users.updateUser(id, { first_name: "Alicia", public_metadata: { tier: 2 }, private_metadata: { crm: "x" } });
    expect(updated).toMatchObject({ id, first_name: "Alicia", public_metadata: { tier: 2 }, private_metadata: { crm: "x" } });

    const withImage = await client.users.updateUser(id, { profile_image: tinyPng(), disabled: true, second_factor_policy: "enforced" });
    expect(withImage).toMatchObject({ disabled: true, second_factor_policy: "enforced", public_metadata: { tier: 2 } });
    expect(withImage.profile_picture_url).toEqual(expect.any(String));
    expect((await client.users.updateUser(id, { remove_profile_image: true })).profile_picture_url).toBeNull();
  });

  it("finds a user by any of their emails, ignoring case", async () => {
    const primary = uniqueEmail("primary");
    const { id } = await createTestUser({ email_address: primary });
    const secondary = uniqueEmail("secondary");
    await client.users.addEmail(id, { email: secondary, verified: true });
    expect((await client.users.getUserByEmail(primary.toUpperCase())).id).toBe(id);
    expect((await client.users.getUserByEmail(secondary)).id).toBe(id);
    await expect(client.users.getUserByEmail(uniqueEmail("nobody"))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("lists users by page, by search and by exact filter", async () => {
    const token = `tok${Date.now().toString(36)}`;
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createTestUser({ last_name: `${token}-${i}` }));

    const first = await client.users.listUsers({ search: token.toUpperCase(), limit: 2, sort_key: "created_at", sort_order: "asc" });
    expect(first).toMatchObject({ total: 3, has_more: true, limit: 2, offset: 0 });
    expect(first.data.map((user) => user.id)).toEqual([made[0]!.id, made[1]!.id]);
    const second = await client.users.listUsers({ search: token, limit: 2, offset: 2, sort_order: "asc" });
    expect(second).toMatchObject({ total: 3, has_more: false });
    expect(second.data.map((user) => user.id)).toEqual([made[2]!.id]);

    const exact = await client.users.listUsers({ email_address: [made[0]!.primary_email_address!, made[2]!.primary_email_address!] });
    expect(exact.data.map((user) => user.id).sort()).toEqual([made[0]!.id, made[2]!.id].sort());
  });

  it("deletes a user, after which it is not found", async () => {
    const { id } = await createTestUser();
    await client.users.deleteUser(id);
    await expect(client.users.getUser(id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.users.deleteUser(id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("adds, lists, updates, promotes and deletes emails", async () => {
    const { id } = await createTestUser();
    const address = uniqueEmail("second");
    const added = await client.users.addEmail(id, { email: address, verified: false });
    expect(added).toMatchObject({ user_id: id, email: address, is_primary: false, verified: false, verified_at: null });
    expect((await client.users.listEmails(id)).map((email) => email.email)).toContain(address);

    const verified = await client.users.updateEmail(id, added.id, { verified: true });
    expect(verified).toMatchObject({ id: added.id, verified: true, verified_at: expect.any(String) });
    await client.users.makeEmailPrimary(id, added.id);
    const details = await client.users.getUser(id);
    expect(details).toMatchObject({ primary_email_address_id: added.id, primary_email_address: address });
    expect(details.email_addresses.filter((email) => email.is_primary).map((email) => email.id)).toEqual([added.id]);

    const old = details.email_addresses.find((email) => email.id !== added.id)!;
    await client.users.deleteEmail(id, old.id);
    expect((await client.users.listEmails(id)).map((email) => email.id)).toEqual([added.id]);
    await expect(client.users.deleteEmail(id, old.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("adds, lists, updates, promotes and deletes phones", async () => {
    const { id } = await createTestUser();
    const number = uniquePhone();
    const added = await client.users.addPhone(id, { phone_number: number, country_code: "US", verified: true });
    expect(added).toMatchObject({ user_id: id, phone_number: number, verified: true });
    expect((await client.users.listPhones(id)).map((phone) => phone.id)).toEqual([added.id]);

    // The user's only phone is their primary: a new number keeps it primary only when it is verified too.
    const other = uniquePhone();
    await expect(client.users.updatePhone(id, added.id, { phone_number: other })).rejects.toMatchObject({
      statusCode: 400,
      code: "primary_value_needs_verified",
    });
    expect(await client.users.updatePhone(id, added.id, { phone_number: other, verified: true })).toMatchObject({
      id: added.id,
      phone_number: other,
      verified: true,
    });
    await client.users.makePhonePrimary(id, added.id);
    expect(await client.users.getUser(id)).toMatchObject({ primary_phone_number_id: added.id, primary_phone_number: other });

    await client.users.deletePhone(id, added.id);
    expect(await client.users.listPhones(id)).toEqual([]);
    await expect(client.users.deletePhone(id, added.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("sets and removes a password", async () => {
    const { id } = await createTestUser();
    expect((await client.users.getUser(id)).has_password).toBe(false);
    await client.users.updatePassword(id, { new_password: "NewSecurePassword123!" });
    expect(await client.users.getUser(id)).toMatchObject({ has_password: true, last_password_reset_at: expect.any(String) });
    await client.users.removePassword(id);
    expect((await client.users.getUser(id)).has_password).toBe(false);
  });

  it("links, lists and unlinks social connections", async () => {
    const { id } = await createTestUser();
    const linked = await client.users.linkSocialConnection(id, { provider: "github_oauth", provider_user_id: "gh-42" });
    expect(linked).toMatchObject({ user_id: id, provider: "github_oauth", provider_user_id: "gh-42" });
    expect((await client.users.listSocialConnections(id)).map((connection) => connection.id)).toEqual([linked.id]);
    expect((await client.users.getUser(id)).social_connections.map((connection) => connection.id)).toEqual([linked.id]);

    await client.users.deleteSocialConnection(id, linked.id);
    expect(await client.users.listSocialConnections(id)).toEqual([]);
    await expect(client.users.deleteSocialConnection(id, linked.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("lists and revokes real sign-ins, and lifts a lockout", async () => {
    const password = "correct horse battery staple";
    const email = uniqueEmail("signin");
    const { id } = await createTestUser({ email_address: email, password, skip_password_check: false });
    expect(await client.users.listSignins(id)).toEqual([]);
    const signIn = (attempt: string) =>
      fetch(`${server.baseUrl}/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: email, password: attempt }),
      });

    const first = await (await signIn(password)).json();
    const second = await (await signIn(password)).json();
    const listed = await client.users.listSignins(id);
    expect(listed.map((signin) => signin.session_id).sort()).toEqual([first.session_id, second.session_id].sort());
    await client.users.revokeSignin(id, first.session_id);
    expect((await client.users.listSignins(id)).map((signin) => signin.session_id)).toEqual([second.session_id]);
    expect((await client.users.listSignins(id, { include_expired: true })).length).toBe(2);
    expect(await client.users.revokeAllSignins(id)).toEqual({ revoked: 1 });
    await expect(client.users.revokeSignin(id, "ses_unknown")).rejects.toBeInstanceOf(NotFoundError);

    // Three free attempts from this address, then it must wait (the server's per-address lockout, docs/security.md).
    for (let attempt = 0; attempt < 3; attempt++) expect((await signIn("wrong password!")).status).toBe(401);
    expect((await signIn(password)).status).toBe(429);
    await client.users.unlockUser(id);
    expect(await client.users.getUser(id)).toMatchObject({ locked: false, lockout_expires_at: null });
    expect((await signIn(password)).status).toBe(200);
  });

  it("serves the module-style calls with an explicit client", async () => {
    const { id } = await users.createUser({ first_name: "Module", last_name: "Style", email_address: uniqueEmail(), skip_password_check: true }, client);
    expect((await users.getUser(id, client)).first_name).toBe("Module");
    await users.deleteUser(id, client);
  });
});
