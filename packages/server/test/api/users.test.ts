import { describe, expect, it } from "vitest";
import { uniqueEmail, uniquePhone, uniqueUsername } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import {
  GOOD_PASSWORD,
  RFC3339_UTC,
  buildPng,
  countRowsOfUser,
  fileBlob,
  createSecondDeployment,
  createUser,
  getDetails,
  insertTestSession,
} from "../helpers/fixtures.js";
import { useServer } from "../helpers/use-server.js";

const USER_FIELDS = [
  "id",
  "created_at",
  "updated_at",
  "first_name",
  "last_name",
  "username",
  "profile_picture_url",
  "primary_email_address",
  "primary_phone_number",
  "external_id",
  "disabled",
  "locked",
  "last_sign_in_at",
  "two_factor_enabled",
].sort();

// Every field the wire protocol names; features added later (sign-in, lockout) may add more.
const USER_DETAILS_FIELDS = [
  ...USER_FIELDS,
  "deployment_id",
  "disabled",
  "second_factor_policy",
  "public_metadata",
  "private_metadata",
  "primary_email_address_id",
  "primary_phone_number_id",
  "email_addresses",
  "phone_numbers",
  "social_connections",
  "has_password",
  "has_backup_codes",
  "last_password_reset_at",
  "schema_version",
  "availability",
  "segments",
  "active_organization_membership_id",
  "active_workspace_membership_id",
].sort();

/** The published SDK's createUser/updateUser body: text fields, booleans as "true"/"false", metadata as JSON text. */
function sdkForm(fields: Record<string, string | Blob>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

describe.each(DIALECTS)("users on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;

  describe("create", () => {
    it("answers the User shape exactly, absent values null, RFC 3339 times and a usr_ id (JSON)", async () => {
      const email = uniqueEmail("shape");
      const response = await call("POST", "/users", { first_name: "Ada", last_name: "Lovelace", email_address: email, password: GOOD_PASSWORD });
      expect(response.status).toBe(200);
      const user = response.body;
      expect(Object.keys(user).sort()).toEqual(USER_FIELDS);
      expect(user.id).toMatch(/^usr_[0-9a-z]{26}$/);
      expect(user.created_at).toMatch(RFC3339_UTC);
      expect(user.updated_at).toMatch(RFC3339_UTC);
      expect(Date.parse(user.created_at)).toBeGreaterThan(Date.now() - 60_000);
      expect(user).toMatchObject({
        first_name: "Ada",
        last_name: "Lovelace",
        username: null,
        profile_picture_url: null,
        primary_email_address: email,
        primary_phone_number: null,
      });
    });

    it("accepts multipart/form-data as the published SDK sends it, metadata as JSON text", async () => {
      const email = uniqueEmail("multipart");
      const username = uniqueUsername("mp");
      const response = await call(
        "POST",
        "/users",
        sdkForm({
          first_name: "Grace",
          last_name: "Hopper",
          email_address: email,
          username,
          password: GOOD_PASSWORD,
          skip_password_check: "false",
          public_metadata: JSON.stringify({ role: "superuser", tags: ["a", "b"] }),
          private_metadata: JSON.stringify({ crm_id: "crm_1", nested: { n: 1 } }),
        }),
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ first_name: "Grace", last_name: "Hopper", username, primary_email_address: email });
      const details = await getDetails(call, response.body.id);
      expect(details.public_metadata).toEqual({ role: "superuser", tags: ["a", "b"] });
      expect(details.private_metadata).toEqual({ crm_id: "crm_1", nested: { n: 1 } });
      expect(details.has_password).toBe(true);
    });

    it("requires a password unless skip_password_check is true", async () => {
      const refused = await call("POST", "/users", { first_name: "No", last_name: "Password", email_address: uniqueEmail() });
      expect(refused.status).toBe(400);
      expect(refused.body.details).toHaveProperty("password");
      expect(refused.body.message).toContain("password");

      const skipped = await call("POST", "/users", { first_name: "No", last_name: "Password", email_address: uniqueEmail(), skip_password_check: true });
      expect(skipped.status).toBe(200);
      expect((await getDetails(call, skipped.body.id)).has_password).toBe(false);

      const skippedMultipart = await call(
        "POST",
        "/users",
        sdkForm({ first_name: "No", last_name: "Pw", email_address: uniqueEmail(), skip_password_check: "true" }),
      );
      expect(skippedMultipart.status).toBe(200);
      expect((await getDetails(call, skippedMultipart.body.id)).has_password).toBe(false);

      const multipartRefused = await call(
        "POST",
        "/users",
        sdkForm({ first_name: "No", last_name: "Pw", email_address: uniqueEmail(), skip_password_check: "false" }),
      );
      expect(multipartRefused.status).toBe(400);
      expect(multipartRefused.body.details).toHaveProperty("password");
    });

    it("creates the identifiers it is given verified and primary", async () => {
      const email = uniqueEmail("ident");
      const phone = uniquePhone();
      const user = await createUser(call, { email_address: email, phone_number: phone });
      expect(user.primary_phone_number).toBe(phone);
      const details = await getDetails(call, user.id);
      expect(details.email_addresses).toHaveLength(1);
      expect(details.phone_numbers).toHaveLength(1);
      const [storedEmail] = details.email_addresses;
      const [storedPhone] = details.phone_numbers;
      expect(storedEmail).toMatchObject({ email, verified: true, is_primary: true, user_id: user.id, verification_strategy: "otp" });
      expect(storedEmail.verified_at).toMatch(RFC3339_UTC);
      expect(storedPhone).toMatchObject({ phone_number: phone, verified: true, is_primary: true, country_code: "US" });
      expect(storedPhone.verified_at).toMatch(RFC3339_UTC);
      expect(details.primary_email_address_id).toBe(storedEmail.id);
      expect(details.primary_phone_number_id).toBe(storedPhone.id);
    });
  });

  describe("all or nothing", () => {
    it("creates nothing when one identifier is taken", async () => {
      const phone = uniquePhone();
      const username = uniqueUsername("held");
      await createUser(call, { phone_number: phone, username });
      const freshEmail = uniqueEmail("fresh");
      for (const taken of [{ phone_number: phone }, { username: username.toUpperCase() }]) {
        const response = await call("POST", "/users", {
          first_name: "Half",
          last_name: "Written",
          email_address: freshEmail,
          password: GOOD_PASSWORD,
          ...taken,
        });
        expect(response.status, JSON.stringify(taken)).toBe(409);
        expect(response.body.details).toHaveProperty(Object.keys(taken)[0]!);
        expect((await call("GET", `/users?email_address=${encodeURIComponent(freshEmail)}`)).body.total).toBe(0);
      }
      expect((await createUser(call, { email_address: freshEmail })).primary_email_address).toBe(freshEmail);
    });

    it("changes nothing when an update is refused, not even the picture", async () => {
      const taken = uniqueUsername("taken");
      await createUser(call, { username: taken });
      const form = sdkForm({ first_name: "Original", last_name: "Name", email_address: uniqueEmail(), password: GOOD_PASSWORD });
      form.append("profile_image", fileBlob(buildPng(1, 1, [1, 1, 1])), "a.png");
      const user = (await call("POST", "/users", form)).body;

      const update = sdkForm({ first_name: "Changed", username: taken, public_metadata: JSON.stringify({ changed: true }) });
      update.append("profile_image", fileBlob(buildPng(1, 1, [9, 9, 9])), "b.png");
      const response = await call("PATCH", `/users/${user.id}`, update);
      expect(response.status).toBe(409);
      expect(response.body.details).toHaveProperty("username");

      const details = await getDetails(call, user.id);
      expect(details).toMatchObject({ first_name: "Original", username: null, public_metadata: {}, profile_picture_url: user.profile_picture_url });
      expect((await fetch(user.profile_picture_url)).status).toBe(200);
      expect(await countRowsOfUser(server.db, "profile_images", user.id)).toBe(1);
    });
  });

  describe("details", () => {
    it("answers the UserDetails shape with consistent primary identifiers", async () => {
      const email = uniqueEmail("details");
      const username = uniqueUsername("det");
      const user = await createUser(call, { email_address: email, username, public_metadata: { plan: "pro" } });
      const response = await call("GET", `/users/${user.id}/details`);
      expect(response.status).toBe(200);
      const details = response.body;
      expect(Object.keys(details).sort()).toEqual(expect.arrayContaining(USER_DETAILS_FIELDS));
      expect(details).toMatchObject({
        id: user.id,
        created_at: user.created_at,
        first_name: "Test",
        last_name: "User",
        username,
        deployment_id: server.deploymentId,
        disabled: false,
        second_factor_policy: "none",
        public_metadata: { plan: "pro" },
        private_metadata: {},
        primary_email_address: email,
        primary_phone_number: null,
        primary_phone_number_id: null,
        phone_numbers: [],
        social_connections: [],
        has_password: true,
        has_backup_codes: false,
        last_password_reset_at: null,
        profile_picture_url: null,
      });
      expect(details.email_addresses.filter((e: any) => e.is_primary).map((e: any) => e.id)).toEqual([details.primary_email_address_id]);
    });

    it("answers 404 with the envelope for an unknown user", async () => {
      const response = await call("GET", "/users/usr_doesnotexist/details");
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: "user_not_found", errors: [{ code: 404 }] });
      expect(response.body.message).toContain("usr_doesnotexist");
    });
  });

  describe("update", () => {
    it("changes names and sets and removes the username (JSON)", async () => {
      const user = await createUser(call);
      const username = uniqueUsername("upd");
      const renamed = await call("PATCH", `/users/${user.id}`, { first_name: "Alicia", last_name: "Smith", username });
      expect(renamed.status).toBe(200);
      expect(Object.keys(renamed.body).sort()).toEqual(expect.arrayContaining(USER_DETAILS_FIELDS));
      expect(renamed.body).toMatchObject({ id: user.id, first_name: "Alicia", last_name: "Smith", username });
      expect(Date.parse(renamed.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(user.updated_at));

      const removed = await call("PATCH", `/users/${user.id}`, { username: null });
      expect(removed.status).toBe(200);
      expect(removed.body.username).toBeNull();
      expect(removed.body.first_name).toBe("Alicia");
      expect((await getDetails(call, user.id)).username).toBeNull();
    });

    it("refuses a username another user has, case-insensitively, naming the field", async () => {
      const username = uniqueUsername("taken");
      await createUser(call, { username });
      const other = await createUser(call);
      const response = await call("PATCH", `/users/${other.id}`, { username: username.toUpperCase() });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: "username_taken", details: { username: expect.any(String) } });
    });

    it("replaces metadata that is sent and keeps what is not", async () => {
      const user = await createUser(call, { public_metadata: { a: 1, keep: true }, private_metadata: { secret: "x" } });
      const response = await call("PATCH", `/users/${user.id}`, sdkForm({ public_metadata: JSON.stringify({ b: 2 }) }));
      expect(response.status).toBe(200);
      expect(response.body.public_metadata).toEqual({ b: 2 });
      expect(response.body.private_metadata).toEqual({ secret: "x" });
      const cleared = await call("PATCH", `/users/${user.id}`, { private_metadata: {} });
      expect(cleared.body.private_metadata).toEqual({});
      expect(cleared.body.public_metadata).toEqual({ b: 2 });
    });

    it('clears the username with an empty multipart field, and keeps "null" as a literal username', async () => {
      const user = await createUser(call, { username: uniqueUsername("clear") });
      const cleared = await call("PATCH", `/users/${user.id}`, sdkForm({ username: "" }));
      expect(cleared.status).toBe(200);
      expect(cleared.body.username).toBeNull();
      const literal = await call("PATCH", `/users/${user.id}`, sdkForm({ username: "null" }));
      expect(literal.status).toBe(200);
      expect(literal.body.username).toBe("null");
      expect((await call("PATCH", `/users/${user.id}`, { username: null })).body.username).toBeNull();
    });

    it("sets disabled and second_factor_policy from multipart text", async () => {
      const user = await createUser(call);
      const disabled = await call("PATCH", `/users/${user.id}`, sdkForm({ disabled: "true", second_factor_policy: "enforced" }));
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ disabled: true, second_factor_policy: "enforced" });
      const enabled = await call("PATCH", `/users/${user.id}`, { disabled: false, second_factor_policy: "optional" });
      expect(enabled.body).toMatchObject({ disabled: false, second_factor_policy: "optional" });
      expect(await getDetails(call, user.id)).toMatchObject({ disabled: false, second_factor_policy: "optional" });
    });

    it("answers 400 naming the field for invalid metadata JSON or an unknown policy, and changes nothing", async () => {
      const user = await createUser(call, { first_name: "Before", public_metadata: { v: 1 } });
      const badJson = await call("PATCH", `/users/${user.id}`, sdkForm({ first_name: "After", public_metadata: "{not json" }));
      expect(badJson.status).toBe(400);
      expect(badJson.body.details).toHaveProperty("public_metadata");
      expect(badJson.body.message).toContain("public_metadata");

      const notObject = await call("PATCH", `/users/${user.id}`, sdkForm({ private_metadata: "[1,2]" }));
      expect(notObject.status).toBe(400);
      expect(notObject.body.details).toHaveProperty("private_metadata");

      const badPolicy = await call("PATCH", `/users/${user.id}`, { second_factor_policy: "sometimes" });
      expect(badPolicy.status).toBe(400);
      expect(badPolicy.body.details).toHaveProperty("second_factor_policy");

      expect(await getDetails(call, user.id)).toMatchObject({ first_name: "Before", public_metadata: { v: 1 }, second_factor_policy: "none" });
    });

    it("answers 404 for an unknown user", async () => {
      const response = await call("PATCH", "/users/usr_doesnotexist", { first_name: "X" });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe("user_not_found");
    });
  });

  describe("delete", () => {
    it("deletes the user and everything that belongs to it", async () => {
      const email = uniqueEmail("gone");
      const phone = uniquePhone();
      const form = sdkForm({ first_name: "Gone", last_name: "Soon", email_address: email, phone_number: phone, password: GOOD_PASSWORD });
      form.append("profile_image", fileBlob(buildPng()), "me.png");
      const created = await call("POST", "/users", form);
      expect(created.status).toBe(200);
      const user = created.body;
      expect(user.profile_picture_url).not.toBeNull();
      expect((await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail("second"), verified: true })).status).toBe(200);
      expect((await call("POST", `/users/${user.id}/social-connections`, { provider: "github", provider_user_id: `gh-${user.id}` })).status).toBe(200);
      await insertTestSession(server.db, server.deploymentId, user.id);

      expect(await countRowsOfUser(server.db, "user_emails", user.id)).toBe(2);
      expect(await countRowsOfUser(server.db, "sessions", user.id)).toBe(1);

      const deleted = await call("DELETE", `/users/${user.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({});

      expect((await call("GET", `/users/${user.id}/details`)).status).toBe(404);
      expect((await call("GET", `/users/${user.id}/emails`)).status).toBe(404);
      expect((await call("GET", `/users/${user.id}/social-connections`)).status).toBe(404);
      expect((await call("GET", `/users/${user.id}/sessions?include_expired=true`)).status).toBe(404);
      expect((await call("DELETE", `/users/${user.id}`)).status).toBe(404);
      expect((await fetch(user.profile_picture_url)).status).toBe(404);
      for (const table of ["user_emails", "user_phones", "social_connections", "sessions", "profile_images"] as const) {
        expect(await countRowsOfUser(server.db, table, user.id), table).toBe(0);
      }
      expect(await server.db.selectFrom("users").select("id").where("id", "=", user.id).executeTakeFirst()).toBeUndefined();

      // The identifiers are free again.
      const again = await createUser(call, { email_address: email.toUpperCase(), phone_number: phone });
      expect(again.primary_phone_number).toBe(phone);
    });
  });

  describe("tenancy", () => {
    it("keeps each deployment's users invisible to the other's key", async () => {
      const second = await createSecondDeployment(server, "staging");
      const email = uniqueEmail("tenant");
      const user = await createUser(call, { email_address: email });
      const paths: Array<[string, string, unknown?]> = [
        ["GET", `/users/${user.id}/details`],
        ["GET", `/users/${user.id}`],
        ["PATCH", `/users/${user.id}`, { first_name: "Hijacked" }],
        ["GET", `/users/${user.id}/emails`],
        ["POST", `/users/${user.id}/emails`, { email: uniqueEmail() }],
        ["GET", `/users/${user.id}/phones`],
        ["PATCH", `/users/${user.id}/password`, { new_password: GOOD_PASSWORD }],
        ["DELETE", `/users/${user.id}/password`],
        ["GET", `/users/${user.id}/social-connections`],
        ["GET", `/users/${user.id}/sessions`],
        ["POST", `/users/${user.id}/sessions/revoke-all`],
        ["DELETE", `/users/${user.id}`],
      ];
      for (const [method, path, body] of paths) {
        const response = await second.call(method, path, body);
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(response.body.code).toBe("user_not_found");
      }
      const emailId = (await getDetails(call, user.id)).primary_email_address_id;
      expect((await second.call("DELETE", `/users/${user.id}/emails/${emailId}`)).status).toBe(404);

      const list = await second.call("GET", `/users?user_id=${user.id}`);
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ data: [], total: 0, has_more: false });
      expect((await second.call("GET", `/users?email_address=${encodeURIComponent(email)}`)).body.total).toBe(0);
      const secondAll = await second.call("GET", "/users?limit=500");
      expect(secondAll.body.data.map((u: any) => u.id)).not.toContain(user.id);

      // Untouched in its own deployment.
      expect(await getDetails(call, user.id)).toMatchObject({ first_name: "Test", has_password: true });
    });

    it("allows the same email once in each deployment", async () => {
      const second = await createSecondDeployment(server, "eu");
      const email = uniqueEmail("both");
      const first = await createUser(call, { email_address: email });
      const other = await second.call("POST", "/users", { first_name: "Other", last_name: "Tenant", email_address: email, password: GOOD_PASSWORD });
      expect(other.status).toBe(200);
      expect(other.body.id).not.toBe(first.id);
      expect((await second.call("GET", `/users/${other.body.id}/details`)).body.deployment_id).toBe(second.deploymentId);

      const duplicate = await second.call("POST", "/users", {
        first_name: "Dup",
        last_name: "Licate",
        email_address: email.toUpperCase(),
        password: GOOD_PASSWORD,
      });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({ code: "email_taken", details: { email_address: expect.any(String) } });
      const duplicateHere = await call("POST", "/users", { first_name: "Dup", last_name: "Licate", email_address: email, password: GOOD_PASSWORD });
      expect(duplicateHere.status).toBe(409);
      expect(duplicateHere.body.details).toHaveProperty("email_address");
    });
  });
});
