import { describe, expect, it } from "vitest";
import { uniqueEmail, uniqueUsername } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { RFC3339_UTC, countRowsOfUser, createSecondDeployment, createUser, getDetails, uniqueTag } from "../helpers/fixtures.js";
import { useServer } from "../helpers/use-server.js";

const CONNECTION_FIELDS = ["id", "created_at", "updated_at", "user_id", "user_email_address_id", "provider", "provider_user_id", "email_address"].sort();

describe.each(DIALECTS)("social connections on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;

  const link = (userId: string, body: Record<string, unknown>) => call("POST", `/users/${userId}/social-connections`, body);

  describe("link", () => {
    it("stores the provider as google_oauth and adds the email verified by oauth_google", async () => {
      const user = await createUser(call);
      const email = uniqueEmail("google");
      const providerUserId = `g-${uniqueTag()}`;
      const response = await link(user.id, { provider: "google", provider_user_id: providerUserId, email_address: email });
      expect(response.status).toBe(200);
      const connection = response.body;
      expect(Object.keys(connection).sort()).toEqual(CONNECTION_FIELDS);
      expect(connection.id).toMatch(/^sca_/);
      expect(connection).toMatchObject({ user_id: user.id, provider: "google_oauth", provider_user_id: providerUserId, email_address: email });
      expect(connection.created_at).toMatch(RFC3339_UTC);

      const details = await getDetails(call, user.id);
      const added = details.email_addresses.find((e: any) => e.email === email);
      expect(added).toMatchObject({ verified: true, verification_strategy: "oauth_google", is_primary: false });
      expect(added.verified_at).toMatch(RFC3339_UTC);
      expect(connection.user_email_address_id).toBe(added.id);
      expect(details.social_connections).toEqual([connection]);
      expect(JSON.stringify(details)).not.toMatch(/token/i);
    });

    it("accepts the provider spelled google_oauth too", async () => {
      const user = await createUser(call);
      const response = await link(user.id, { provider: "google_oauth", provider_user_id: `g-${uniqueTag()}` });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ provider: "google_oauth", email_address: null, user_email_address_id: null });
      expect((await getDetails(call, user.id)).email_addresses).toHaveLength(1);
    });

    it("reuses an email the user already has (any case) instead of adding it again", async () => {
      const user = await createUser(call);
      const response = await link(user.id, {
        provider: "github",
        provider_user_id: `gh-${uniqueTag()}`,
        email_address: user.primary_email_address.toUpperCase(),
      });
      expect(response.status).toBe(200);
      expect(response.body.provider).toBe("github_oauth");
      const details = await getDetails(call, user.id);
      expect(details.email_addresses).toHaveLength(1);
      expect(details.email_addresses[0]).toMatchObject({ verification_strategy: "otp", is_primary: true });
      expect(response.body.user_email_address_id).toBe(details.email_addresses[0].id);
    });

    it("marks an unverified copy of the provider's email verified by the provider", async () => {
      const user = await createUser(call);
      const address = uniqueEmail("unverified");
      const added = await call("POST", `/users/${user.id}/emails`, { email: address });
      expect(added.body.verified).toBe(false);
      const response = await link(user.id, { provider: "google", provider_user_id: `g-${uniqueTag()}`, email_address: address });
      expect(response.status).toBe(200);
      expect(response.body.user_email_address_id).toBe(added.body.id);
      const email = (await getDetails(call, user.id)).email_addresses.find((e: any) => e.id === added.body.id);
      expect(email).toMatchObject({ verified: true, verification_strategy: "oauth_google", is_primary: false });
      expect(email.verified_at).toMatch(RFC3339_UTC);
    });

    it("makes the provider's email primary when the user has no primary email", async () => {
      const user = await createUser(call, { email_address: undefined, username: uniqueUsername("oauth") });
      const email = uniqueEmail("firstemail");
      expect((await link(user.id, { provider: "google", provider_user_id: `g-${uniqueTag()}`, email_address: email })).status).toBe(200);
      const details = await getDetails(call, user.id);
      expect(details.primary_email_address).toBe(email);
      expect(details.email_addresses[0]).toMatchObject({ is_primary: true, verification_strategy: "oauth_google" });
    });

    it("refuses the same provider account for a second user with 409, writing nothing", async () => {
      const first = await createUser(call);
      const second = await createUser(call);
      const providerUserId = `g-${uniqueTag()}`;
      expect((await link(first.id, { provider: "google", provider_user_id: providerUserId })).status).toBe(200);
      const newEmail = uniqueEmail("rolledback");
      const response = await link(second.id, { provider: "google_oauth", provider_user_id: providerUserId, email_address: newEmail });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: "social_connection_taken", details: { provider_user_id: expect.any(String) } });
      // The email that would have come with the connection was not left behind.
      const details = await getDetails(call, second.id);
      expect(details.email_addresses.map((e: any) => e.email)).toEqual([second.primary_email_address]);
      expect(details.social_connections).toEqual([]);
      // The same id at another provider is another account.
      expect((await link(second.id, { provider: "github", provider_user_id: providerUserId })).status).toBe(200);
    });

    it("allows the same provider account once in each deployment", async () => {
      const second = await createSecondDeployment(server, "other");
      const providerUserId = `g-${uniqueTag()}`;
      const here = await createUser(call);
      expect((await link(here.id, { provider: "google", provider_user_id: providerUserId })).status).toBe(200);
      const thereUser = await createUser(second.call);
      const there = await second.call("POST", `/users/${thereUser.id}/social-connections`, { provider: "google", provider_user_id: providerUserId });
      expect(there.status).toBe(200);
      // And a key never reaches the other deployment's user.
      expect((await second.call("GET", `/users/${here.id}/social-connections`)).status).toBe(404);
      expect((await second.call("DELETE", `/users/${here.id}/social-connections/${there.body.id}`)).status).toBe(404);
    });

    it("refuses an email another user has with 409 naming email_address", async () => {
      const owner = await createUser(call);
      const user = await createUser(call);
      const response = await link(user.id, { provider: "google", provider_user_id: `g-${uniqueTag()}`, email_address: owner.primary_email_address });
      expect(response.status).toBe(409);
      expect(response.body.details).toHaveProperty("email_address");
      expect((await getDetails(call, user.id)).social_connections).toEqual([]);
    });

    it("refuses a bad provider, provider_user_id or email with 400 naming the field", async () => {
      const user = await createUser(call);
      for (const [body, field] of [
        [{ provider: "Not a provider!", provider_user_id: "x" }, "provider"],
        [{ provider: "google", provider_user_id: "  " }, "provider_user_id"],
        [{ provider: "google", provider_user_id: "x", email_address: "nope" }, "email_address"],
        [{ provider_user_id: "x" }, "provider"],
      ] as const) {
        const response = await link(user.id, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.details, JSON.stringify(body)).toHaveProperty(field);
      }
      expect((await link("usr_nobody", { provider: "google", provider_user_id: "x" })).status).toBe(404);
    });
  });

  describe("list and unlink", () => {
    it("lists {data, has_more}, unlinks, and answers 404 for unknown or foreign connections", async () => {
      const user = await createUser(call);
      const other = await createUser(call);
      const google = (await link(user.id, { provider: "google", provider_user_id: `g-${uniqueTag()}`, email_address: uniqueEmail() })).body;
      const github = (await link(user.id, { provider: "github", provider_user_id: `gh-${uniqueTag()}` })).body;
      const othersConnection = (await link(other.id, { provider: "github", provider_user_id: `gh-${uniqueTag()}` })).body;

      const list = await call("GET", `/users/${user.id}/social-connections`);
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ data: [google, github], has_more: false });

      expect((await call("DELETE", `/users/${user.id}/social-connections/sca_nope`)).status).toBe(404);
      const foreign = await call("DELETE", `/users/${user.id}/social-connections/${othersConnection.id}`);
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe("social_connection_not_found");
      expect((await call("GET", `/users/${other.id}/social-connections`)).body.data).toHaveLength(1);

      const unlinked = await call("DELETE", `/users/${user.id}/social-connections/${google.id}`);
      expect(unlinked.status).toBe(200);
      expect(unlinked.body).toEqual({});
      expect((await call("GET", `/users/${user.id}/social-connections`)).body.data).toEqual([github]);
      expect((await call("DELETE", `/users/${user.id}/social-connections/${google.id}`)).status).toBe(404);
      // The email the connection brought stays with the user.
      expect((await getDetails(call, user.id)).email_addresses.map((e: any) => e.email)).toContain(google.email_address);
      expect((await call("GET", "/users/usr_nobody/social-connections")).status).toBe(404);
    });

    it("forgets the email id when the user deletes that email, keeping the connection", async () => {
      const user = await createUser(call);
      const email = uniqueEmail("brought");
      const connection = (await link(user.id, { provider: "google", provider_user_id: `g-${uniqueTag()}`, email_address: email })).body;
      expect(connection.user_email_address_id).toMatch(/^eml_/);
      expect((await call("DELETE", `/users/${user.id}/emails/${connection.user_email_address_id}`)).status).toBe(200);
      const [after] = (await call("GET", `/users/${user.id}/social-connections`)).body.data;
      expect(after).toMatchObject({ id: connection.id, user_email_address_id: null, email_address: email });
      expect((await getDetails(call, user.id)).social_connections[0].user_email_address_id).toBeNull();
    });

    it("goes away with the user", async () => {
      const user = await createUser(call);
      const providerUserId = `g-${uniqueTag()}`;
      await link(user.id, { provider: "google", provider_user_id: providerUserId, email_address: uniqueEmail() });
      expect(await countRowsOfUser(server.db, "social_connections", user.id)).toBe(1);
      expect((await call("DELETE", `/users/${user.id}`)).status).toBe(200);
      expect(await countRowsOfUser(server.db, "social_connections", user.id)).toBe(0);
      // The provider account is free to link again.
      const next = await createUser(call);
      expect((await link(next.id, { provider: "google", provider_user_id: providerUserId })).status).toBe(200);
    });
  });
});
