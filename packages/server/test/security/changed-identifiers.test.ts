import { describe, expect, it } from "vitest";
import { uniqueEmail, uniquePhone } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, RFC3339_UTC, createUser, getDetails } from "../helpers/fixtures.js";
import { frontendClient } from "../helpers/frontend.js";
import { useServer } from "../helpers/use-server.js";

/**
 * Issue 9, item 5: a changed address or number has not been proven by anyone, so it is unverified
 * (and cannot sign in) unless the same request says `verified: true`; the primary's value changes
 * only with `verified: true`, so the primary is never left unverified or moved as a side effect.
 */
describe.each(DIALECTS)("changing an identifier's value on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;
  const signIn = (identifier: string) => frontendClient(server.baseUrl).signIn(identifier, GOOD_PASSWORD);

  /** The details, checked: one primary at most, verified, and primary_*_id in step with the flags. */
  async function consistentDetails(userId: string): Promise<any> {
    const details = await getDetails(call, userId);
    for (const [list, idField, valueField, value] of [
      [details.email_addresses, "primary_email_address_id", "primary_email_address", "email"],
      [details.phone_numbers, "primary_phone_number_id", "primary_phone_number", "phone_number"],
    ] as const) {
      const primaries = list.filter((item: any) => item.is_primary);
      expect(primaries.length).toBeLessThanOrEqual(1);
      for (const primary of primaries) expect(primary.verified).toBe(true);
      expect(details[idField]).toBe(primaries[0]?.id ?? null);
      expect(details[valueField]).toBe(primaries[0]?.[value] ?? null);
    }
    return details;
  }

  it("a changed, verified secondary email becomes unverified and cannot sign in", async () => {
    const user = await createUser(call);
    const original = uniqueEmail("second");
    const added = (await call("POST", `/users/${user.id}/emails`, { email: original, verified: true })).body;
    expect((await signIn(original)).status).toBe(200);

    const changedTo = uniqueEmail("attacker");
    const changed = await call("PATCH", `/users/${user.id}/emails/${added.id}`, { email: changedTo });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: added.id, email: changedTo, verified: false, verified_at: null, is_primary: false, verification_strategy: "otp" });
    expect((await signIn(changedTo)).status).toBe(401);
    expect((await signIn(original)).status).toBe(401);
    expect((await consistentDetails(user.id)).primary_email_address).toBe(user.primary_email_address);
    // The audit entry says `verified` changed too.
    const audit = await call("GET", `/audit-logs?user_id=${user.id}&action=email.update`);
    expect(audit.body.data.find((entry: any) => entry.target.id === added.id)?.changes).toEqual(expect.arrayContaining(["email", "verified"]));
  });

  it("a provider-verified email that changes loses the provider's word and the connection's pointer", async () => {
    const user = await createUser(call);
    const providerEmail = uniqueEmail("github");
    const linked = await call("POST", `/users/${user.id}/social-connections`, {
      provider: "github",
      provider_user_id: uniqueEmail("sub"),
      email_address: providerEmail,
    });
    expect(linked.status).toBe(200);
    const email = (await getDetails(call, user.id)).email_addresses.find((item: any) => item.email === providerEmail);
    expect(email).toMatchObject({ verified: true, verification_strategy: "oauth_github" });
    expect(linked.body.user_email_address_id).toBe(email.id);

    const changedTo = uniqueEmail("typed");
    const changed = await call("PATCH", `/users/${user.id}/emails/${email.id}`, { email: changedTo, verified: true });
    expect(changed.body).toMatchObject({ email: changedTo, verified: true, verification_strategy: "otp" });
    const [connection] = (await consistentDetails(user.id)).social_connections;
    expect(connection).toMatchObject({ id: linked.body.id, email_address: providerEmail, user_email_address_id: null });
  });

  it("a changed value stays verified only when the same request says verified: true, with a fresh verified_at", async () => {
    const user = await createUser(call);
    const added = (await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail("vouched"), verified: true })).body;
    const changedTo = uniqueEmail("vouched-new");
    const changed = await call("PATCH", `/users/${user.id}/emails/${added.id}`, { email: changedTo, verified: true });
    expect(changed.body).toMatchObject({ email: changedTo, verified: true });
    expect(changed.body.verified_at).toMatch(RFC3339_UTC);
    expect(Date.parse(changed.body.verified_at)).toBeGreaterThanOrEqual(Date.parse(added.verified_at));
    expect((await signIn(changedTo)).status).toBe(200);
  });

  it("refuses to change the primary email without verified: true (400 naming email), changing nothing", async () => {
    const user = await createUser(call);
    const [primary] = (await getDetails(call, user.id)).email_addresses;
    const refused = await call("PATCH", `/users/${user.id}/emails/${primary.id}`, { email: uniqueEmail("hijack") });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("primary_value_needs_verified");
    expect(refused.body.details).toEqual({ email: expect.stringContaining("verified: true") });
    const details = await consistentDetails(user.id);
    expect(details.email_addresses).toEqual([primary]);
    expect((await signIn(user.primary_email_address)).status).toBe(200);

    const changedTo = uniqueEmail("owner-new");
    const vouched = await call("PATCH", `/users/${user.id}/emails/${primary.id}`, { email: changedTo, verified: true });
    expect(vouched.body).toMatchObject({ email: changedTo, verified: true, is_primary: true });
    expect((await consistentDetails(user.id)).primary_email_address).toBe(changedTo);
    expect((await signIn(changedTo)).status).toBe(200);
  });

  it("another spelling of the same address is no change: it stays verified and primary", async () => {
    const user = await createUser(call);
    const [primary] = (await getDetails(call, user.id)).email_addresses;
    const respelled = await call("PATCH", `/users/${user.id}/emails/${primary.id}`, { email: primary.email.toUpperCase() });
    expect(respelled.status).toBe(200);
    expect(respelled.body).toMatchObject({ verified: true, is_primary: true, verified_at: primary.verified_at });
  });

  it("a changed unverified email asked to become primary in the same request is refused on is_primary", async () => {
    const user = await createUser(call);
    const added = (await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail("second"), verified: true })).body;
    const refused = await call("PATCH", `/users/${user.id}/emails/${added.id}`, { email: uniqueEmail("promote"), is_primary: true });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toHaveProperty("is_primary");
    expect((await consistentDetails(user.id)).email_addresses.find((email: any) => email.id === added.id)).toMatchObject({
      email: added.email,
      verified: true,
    });
  });

  it("a changed phone number becomes unverified and cannot sign in; the primary's needs verified: true", async () => {
    const primaryNumber = uniquePhone();
    const user = await createUser(call, { phone_number: primaryNumber });
    const [primary] = (await getDetails(call, user.id)).phone_numbers;
    const added = (await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone(), verified: true })).body;
    expect((await signIn(added.phone_number)).status).toBe(200);

    const changedTo = uniquePhone();
    const changed = await call("PATCH", `/users/${user.id}/phones/${added.id}`, { phone_number: changedTo });
    expect(changed.body).toMatchObject({ phone_number: changedTo, verified: false, verified_at: null, is_primary: false });
    expect((await signIn(changedTo)).status).toBe(401);

    // A country code that reads the stored digits as the same number is no change.
    const usNumber = (await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone().slice(2), country_code: "US", verified: true })).body;
    const sameNumber = await call("PATCH", `/users/${user.id}/phones/${usNumber.id}`, { country_code: "+1" });
    expect(sameNumber.body).toMatchObject({ phone_number: usNumber.phone_number, verified: true, verified_at: usNumber.verified_at });

    const refused = await call("PATCH", `/users/${user.id}/phones/${primary.id}`, { phone_number: uniquePhone() });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: "primary_value_needs_verified", details: { phone_number: expect.any(String) } });
    expect((await consistentDetails(user.id)).primary_phone_number).toBe(primaryNumber);
    const vouchedNumber = uniquePhone();
    expect((await call("PATCH", `/users/${user.id}/phones/${primary.id}`, { phone_number: vouchedNumber, verified: true })).body).toMatchObject({
      verified: true,
      is_primary: true,
    });
    expect((await consistentDetails(user.id)).primary_phone_number).toBe(vouchedNumber);
  });
});
