import { describe, expect, it } from "vitest";
import { uniqueEmail, uniqueUsername } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { RFC3339_UTC, createUser, getDetails } from "../helpers/fixtures.js";
import { useServer } from "../helpers/use-server.js";

const EMAIL_FIELDS = [
  "id",
  "created_at",
  "updated_at",
  "deployment_id",
  "user_id",
  "email",
  "is_primary",
  "verified",
  "verified_at",
  "verification_strategy",
].sort();

describe.each(DIALECTS)("user emails on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;

  /** The user's emails, and a check that the flags and the user's primary fields agree. */
  async function emailsOf(userId: string): Promise<any[]> {
    const details = await getDetails(call, userId);
    const list = await call("GET", `/users/${userId}/emails`);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual(details.email_addresses);
    const primaries = details.email_addresses.filter((email: any) => email.is_primary);
    expect(primaries.length).toBeLessThanOrEqual(1);
    expect(details.primary_email_address_id).toBe(primaries[0]?.id ?? null);
    expect(details.primary_email_address).toBe(primaries[0]?.email ?? null);
    for (const primary of primaries) expect(primary.verified).toBe(true);
    return details.email_addresses;
  }

  /** A user whose only identifier is a username: no email, so no primary email yet. */
  const userWithoutEmail = () => createUser(call, { email_address: undefined, username: uniqueUsername("noemail") });

  describe("list", () => {
    it("answers {data, has_more} with the UserEmail shape", async () => {
      const user = await createUser(call);
      const response = await call("GET", `/users/${user.id}/emails`);
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(["data", "has_more"]);
      expect(response.body.has_more).toBe(false);
      expect(response.body.data).toHaveLength(1);
      const [email] = response.body.data;
      expect(Object.keys(email).sort()).toEqual(EMAIL_FIELDS);
      expect(email.id).toMatch(/^eml_/);
      expect(email).toMatchObject({
        user_id: user.id,
        deployment_id: server.deploymentId,
        email: user.primary_email_address,
        is_primary: true,
        verified: true,
      });
      expect(email.created_at).toMatch(RFC3339_UTC);
      expect((await call("GET", "/users/usr_nobody/emails")).status).toBe(404);
    });
  });

  describe("add", () => {
    it("adds unverified by default, not primary", async () => {
      const user = await createUser(call);
      const address = uniqueEmail("added");
      const response = await call("POST", `/users/${user.id}/emails`, { email: address });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(EMAIL_FIELDS);
      expect(response.body).toMatchObject({
        email: address,
        verified: false,
        verified_at: null,
        is_primary: false,
        verification_strategy: "otp",
        user_id: user.id,
      });
      const emails = await emailsOf(user.id);
      expect(emails.map((e) => e.email)).toEqual([user.primary_email_address, address]);
    });

    it("refuses is_primary for an unverified email with 400", async () => {
      const user = await createUser(call);
      const address = uniqueEmail();
      const response = await call("POST", `/users/${user.id}/emails`, { email: address, is_primary: true });
      expect(response.status).toBe(400);
      expect(response.body.details).toHaveProperty("is_primary");
      expect(response.body.message).toContain("verified");
      expect((await emailsOf(user.id)).map((e) => e.email)).not.toContain(address);
    });

    it("makes the first verified email the primary one", async () => {
      const user = await userWithoutEmail();
      const unverified = await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail() });
      expect(unverified.body.is_primary).toBe(false);
      expect((await getDetails(call, user.id)).primary_email_address_id).toBeNull();
      const verified = await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail(), verified: true });
      expect(verified.body).toMatchObject({ is_primary: true, verified: true });
      expect(verified.body.verified_at).toMatch(RFC3339_UTC);
      const later = await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail(), verified: true });
      expect(later.body.is_primary).toBe(false);
      const details = await getDetails(call, user.id);
      expect(details.primary_email_address_id).toBe(verified.body.id);
      await emailsOf(user.id);
    });

    it("with verified and is_primary takes over the primary", async () => {
      const user = await createUser(call);
      const address = uniqueEmail("newprimary");
      const response = await call("POST", `/users/${user.id}/emails`, { email: address, verified: true, is_primary: true });
      expect(response.status).toBe(200);
      expect(response.body.is_primary).toBe(true);
      const emails = await emailsOf(user.id);
      expect(emails.filter((e) => e.is_primary).map((e) => e.email)).toEqual([address]);
    });

    it("refuses an address in use (case-insensitively) with 409 naming the field, and an invalid one with 400", async () => {
      const owner = await createUser(call);
      const user = await createUser(call);
      const taken = await call("POST", `/users/${user.id}/emails`, { email: owner.primary_email_address.toUpperCase() });
      expect(taken.status).toBe(409);
      expect(taken.body).toMatchObject({ code: "email_taken", details: { email: expect.any(String) } });
      const own = await call("POST", `/users/${user.id}/emails`, { email: user.primary_email_address.toUpperCase() });
      expect(own.status).toBe(409);
      const invalid = await call("POST", `/users/${user.id}/emails`, { email: "nope" });
      expect(invalid.status).toBe(400);
      expect(invalid.body.details).toHaveProperty("email");
      expect(await emailsOf(user.id)).toHaveLength(1);
    });
  });

  describe("update", () => {
    it("changes the primary's address with verified: true, and the user's primary_email_address follows", async () => {
      const user = await createUser(call);
      const [primary] = await emailsOf(user.id);
      const address = uniqueEmail("changed");
      const response = await call("PATCH", `/users/${user.id}/emails/${primary.id}`, { email: address, verified: true });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: primary.id, email: address, is_primary: true, verified: true });
      expect((await getDetails(call, user.id)).primary_email_address).toBe(address);
    });

    it("refuses an address another user has, case-insensitively, with 409 naming the field", async () => {
      const owner = await createUser(call);
      const user = await createUser(call);
      const [primary] = await emailsOf(user.id);
      const response = await call("PATCH", `/users/${user.id}/emails/${primary.id}`, { email: owner.primary_email_address.toUpperCase(), verified: true });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: "email_taken", details: { email: expect.any(String) } });
      expect((await emailsOf(user.id))[0].email).toBe(user.primary_email_address);
    });

    it("a changed address is unverified unless the request says verified: true; the primary's is refused without it", async () => {
      const user = await createUser(call);
      const [primary] = await emailsOf(user.id);
      const added = (await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail(), verified: true })).body;
      const address = uniqueEmail("unproven");
      const changed = await call("PATCH", `/users/${user.id}/emails/${added.id}`, { email: address });
      expect(changed.body).toMatchObject({ email: address, verified: false, verified_at: null, is_primary: false });
      const refused = await call("PATCH", `/users/${user.id}/emails/${primary.id}`, { email: uniqueEmail() });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: "primary_value_needs_verified", details: { email: expect.any(String) } });
      expect((await emailsOf(user.id)).find((email) => email.id === primary.id)).toEqual(primary);
    });

    it("with is_primary true demotes the old primary", async () => {
      const user = await createUser(call);
      const [old] = await emailsOf(user.id);
      const added = (await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail(), verified: true })).body;
      const response = await call("PATCH", `/users/${user.id}/emails/${added.id}`, { is_primary: true });
      expect(response.status).toBe(200);
      expect(response.body.is_primary).toBe(true);
      const emails = await emailsOf(user.id);
      expect(emails.find((e) => e.id === old.id).is_primary).toBe(false);
      expect(emails.filter((e) => e.is_primary).map((e) => e.id)).toEqual([added.id]);
    });

    it("refuses is_primary on an unverified email unless it is verified in the same request", async () => {
      const user = await createUser(call);
      const added = (await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail() })).body;
      const refused = await call("PATCH", `/users/${user.id}/emails/${added.id}`, { is_primary: true });
      expect(refused.status).toBe(400);
      expect(refused.body.details).toHaveProperty("is_primary");
      const both = await call("PATCH", `/users/${user.id}/emails/${added.id}`, { is_primary: true, verified: true });
      expect(both.status).toBe(200);
      expect(both.body).toMatchObject({ is_primary: true, verified: true });
      await emailsOf(user.id);
    });

    it("refuses to un-verify the primary with 409", async () => {
      const user = await createUser(call);
      const [primary] = await emailsOf(user.id);
      const response = await call("PATCH", `/users/${user.id}/emails/${primary.id}`, { verified: false });
      expect(response.status).toBe(409);
      expect(response.body.details).toHaveProperty("verified");
      expect((await emailsOf(user.id))[0]).toMatchObject({ verified: true, is_primary: true });
    });

    it("verifies and un-verifies a non-primary email", async () => {
      const user = await createUser(call);
      const added = (await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail() })).body;
      const verified = await call("PATCH", `/users/${user.id}/emails/${added.id}`, { verified: true });
      expect(verified.body).toMatchObject({ verified: true, is_primary: false });
      expect(verified.body.verified_at).toMatch(RFC3339_UTC);
      const unverified = await call("PATCH", `/users/${user.id}/emails/${added.id}`, { verified: false });
      expect(unverified.body).toMatchObject({ verified: false, verified_at: null });
    });

    it("answers 404 for an unknown email and for another user's email", async () => {
      const user = await createUser(call);
      const other = await createUser(call);
      const [othersEmail] = await emailsOf(other.id);
      const unknown = await call("PATCH", `/users/${user.id}/emails/eml_nope`, { verified: true });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe("email_not_found");
      const foreign = await call("PATCH", `/users/${user.id}/emails/${othersEmail.id}`, { email: uniqueEmail() });
      expect(foreign.status).toBe(404);
      expect((await emailsOf(other.id))[0].email).toBe(other.primary_email_address);
    });
  });

  describe("delete", () => {
    it("answers 404 for an unknown email and for another user's email, deleting nothing", async () => {
      const user = await createUser(call);
      const other = await createUser(call);
      const [othersEmail] = await emailsOf(other.id);
      const unknown = await call("DELETE", `/users/${user.id}/emails/eml_nope`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe("email_not_found");
      expect((await call("DELETE", `/users/${user.id}/emails/${othersEmail.id}`)).status).toBe(404);
      expect(await emailsOf(other.id)).toHaveLength(1);
      expect((await call("DELETE", `/users/usr_nobody/emails/${othersEmail.id}`)).status).toBe(404);
    });

    it("refuses the primary while another exists, deletes a non-primary, then the last one", async () => {
      const user = await createUser(call);
      const [primary] = await emailsOf(user.id);
      const added = (await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail() })).body;

      const refused = await call("DELETE", `/users/${user.id}/emails/${primary.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain("make another primary first");

      const deleted = await call("DELETE", `/users/${user.id}/emails/${added.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({});
      expect((await emailsOf(user.id)).map((e) => e.id)).toEqual([primary.id]);
      expect((await call("DELETE", `/users/${user.id}/emails/${added.id}`)).status).toBe(404);

      const last = await call("DELETE", `/users/${user.id}/emails/${primary.id}`);
      expect(last.status).toBe(200);
      expect(await emailsOf(user.id)).toEqual([]);
      expect((await getDetails(call, user.id)).primary_email_address).toBeNull();
      const listed = await call("GET", `/users?user_id=${user.id}`);
      expect(listed.body.data[0].primary_email_address).toBeNull();
    });
  });

  describe("make-primary", () => {
    it("refuses an unverified email with 400, then moves the primary to a verified one", async () => {
      const user = await createUser(call);
      const [old] = await emailsOf(user.id);
      const unverified = (await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail() })).body;
      const refused = await call("POST", `/users/${user.id}/emails/${unverified.id}/make-primary`);
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe("primary_must_be_verified");
      expect((await emailsOf(user.id)).find((e) => e.id === old.id).is_primary).toBe(true);

      const verified = (await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail("next"), verified: true })).body;
      const response = await call("POST", `/users/${user.id}/emails/${verified.id}/make-primary`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({});
      const emails = await emailsOf(user.id);
      expect(emails.filter((e) => e.is_primary).map((e) => e.id)).toEqual([verified.id]);
      const details = await getDetails(call, user.id);
      expect(details.primary_email_address_id).toBe(verified.id);
      expect(details.primary_email_address).toBe(verified.email);
      expect((await call("GET", `/users?user_id=${user.id}`)).body.data[0].primary_email_address).toBe(verified.email);

      // Again on the primary: a no-op, still exactly one.
      expect((await call("POST", `/users/${user.id}/emails/${verified.id}/make-primary`)).status).toBe(200);
      expect((await emailsOf(user.id)).filter((e) => e.is_primary)).toHaveLength(1);
    });

    it("answers 404 for an unknown email and for another user's email", async () => {
      const user = await createUser(call);
      const other = await createUser(call);
      const [othersEmail] = await emailsOf(other.id);
      expect((await call("POST", `/users/${user.id}/emails/eml_nope/make-primary`)).status).toBe(404);
      expect((await call("POST", `/users/${user.id}/emails/${othersEmail.id}/make-primary`)).status).toBe(404);
      await emailsOf(user.id);
    });
  });
});
