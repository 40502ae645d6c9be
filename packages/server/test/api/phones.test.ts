import { describe, expect, it } from "vitest";
import { uniquePhone } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { RFC3339_UTC, createUser, getDetails } from "../helpers/fixtures.js";
import { useServer } from "../helpers/use-server.js";

const PHONE_FIELDS = ["id", "created_at", "updated_at", "user_id", "phone_number", "country_code", "is_primary", "verified", "verified_at"].sort();

/** "+1415xxxxxxx" → "(415) xxx-xxxx", the way a person in the US writes it. */
const nationalFormat = (e164: string) => `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;

describe.each(DIALECTS)("user phones on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;

  /** The user's phones, and a check that the flags and the user's primary fields agree. */
  async function phonesOf(userId: string): Promise<any[]> {
    const details = await getDetails(call, userId);
    const list = await call("GET", `/users/${userId}/phones`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ data: details.phone_numbers, has_more: false });
    const primaries = details.phone_numbers.filter((phone: any) => phone.is_primary);
    expect(primaries.length).toBeLessThanOrEqual(1);
    expect(details.primary_phone_number_id).toBe(primaries[0]?.id ?? null);
    expect(details.primary_phone_number).toBe(primaries[0]?.phone_number ?? null);
    for (const primary of primaries) expect(primary.verified).toBe(true);
    return details.phone_numbers;
  }

  describe("add", () => {
    it("normalizes to E.164 and answers the UserPhone shape, unverified by default", async () => {
      const user = await createUser(call);
      const phone = uniquePhone();
      const response = await call("POST", `/users/${user.id}/phones`, { phone_number: `+1 ${nationalFormat(phone)}` });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(PHONE_FIELDS);
      expect(response.body.id).toMatch(/^phn_/);
      expect(response.body).toMatchObject({ phone_number: phone, country_code: "US", verified: false, verified_at: null, is_primary: false, user_id: user.id });
      expect(response.body.created_at).toMatch(RFC3339_UTC);
      expect((await phonesOf(user.id)).map((p) => p.phone_number)).toEqual([phone]);
    });

    it.each([["US"], ["us"], ["+1"], ["1"]])("reads a national number with country_code %s", async (countryCode) => {
      const user = await createUser(call);
      const phone = uniquePhone();
      const plain = await call("POST", `/users/${user.id}/phones`, { phone_number: phone.slice(2), country_code: countryCode });
      expect(plain.status).toBe(200);
      expect(plain.body).toMatchObject({ phone_number: phone, country_code: "US" });
      const formatted = uniquePhone();
      const withPunctuation = await call("POST", `/users/${user.id}/phones`, { phone_number: nationalFormat(formatted), country_code: countryCode });
      expect(withPunctuation.status).toBe(200);
      expect(withPunctuation.body.phone_number).toBe(formatted);
    });

    it("refuses invalid numbers and country codes with 400 naming the field", async () => {
      const user = await createUser(call);
      for (const body of [
        { phone_number: "12345", country_code: "US" },
        { phone_number: "not a phone" },
        { phone_number: "4155552671" }, // national, without a country
        { phone_number: "+1415555" },
        { phone_number: "" },
      ]) {
        const response = await call("POST", `/users/${user.id}/phones`, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.details, JSON.stringify(body)).toHaveProperty("phone_number");
      }
      const badCountry = await call("POST", `/users/${user.id}/phones`, { phone_number: "4155552671", country_code: "USA1" });
      expect(badCountry.status).toBe(400);
      expect(badCountry.body.details).toHaveProperty("country_code");
      expect(await phonesOf(user.id)).toEqual([]);
    });

    it("refuses a number another user has, in any notation, with 409 naming the field", async () => {
      const phone = uniquePhone();
      await createUser(call, { phone_number: phone });
      const user = await createUser(call);
      for (const body of [
        { phone_number: phone },
        { phone_number: nationalFormat(phone), country_code: "US" },
        { phone_number: phone.slice(2), country_code: "+1" },
      ]) {
        const response = await call("POST", `/users/${user.id}/phones`, body);
        expect(response.status, JSON.stringify(body)).toBe(409);
        expect(response.body).toMatchObject({ code: "phone_number_taken", details: { phone_number: expect.any(String) } });
      }
      const atCreate = await call("POST", "/users", {
        first_name: "A",
        last_name: "B",
        phone_number: phone.replace(/^\+1(\d{3})(\d{3})/, "+1 $1 $2 "),
        skip_password_check: true,
      });
      expect(atCreate.status).toBe(409);
      expect(atCreate.body.details).toHaveProperty("phone_number");
      expect(await phonesOf(user.id)).toEqual([]);
    });

    it("refuses is_primary unverified with 400, and makes the first verified phone primary", async () => {
      const user = await createUser(call);
      const refused = await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone(), is_primary: true });
      expect(refused.status).toBe(400);
      expect(refused.body.details).toHaveProperty("is_primary");
      const unverified = await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone() });
      expect(unverified.body.is_primary).toBe(false);
      const verified = await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone(), verified: true });
      expect(verified.body).toMatchObject({ is_primary: true, verified: true });
      const second = await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone(), verified: true });
      expect(second.body.is_primary).toBe(false);
      expect((await getDetails(call, user.id)).primary_phone_number).toBe(verified.body.phone_number);
      await phonesOf(user.id);
    });
  });

  describe("update", () => {
    it("changes the primary's number (normalized) with verified: true and keeps the primary consistent", async () => {
      const phone = uniquePhone();
      const user = await createUser(call, { phone_number: phone });
      const [primary] = await phonesOf(user.id);
      const next = uniquePhone();
      const response = await call("PATCH", `/users/${user.id}/phones/${primary.id}`, { phone_number: next.slice(2), country_code: "US", verified: true });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: primary.id, phone_number: next, is_primary: true, verified: true });
      expect((await getDetails(call, user.id)).primary_phone_number).toBe(next);
      const listed = await call("GET", `/users?phone_number=${encodeURIComponent(next)}`);
      expect(listed.body.data.map((u: any) => u.id)).toEqual([user.id]);
      expect((await call("GET", `/users?phone_number=${encodeURIComponent(phone)}`)).body.total).toBe(0);
    });

    it("refuses a number another user has with 409, and an invalid one with 400", async () => {
      const taken = uniquePhone();
      await createUser(call, { phone_number: taken });
      const mine = uniquePhone();
      const user = await createUser(call, { phone_number: mine });
      const [primary] = await phonesOf(user.id);
      const conflict = await call("PATCH", `/users/${user.id}/phones/${primary.id}`, { phone_number: taken, verified: true });
      expect(conflict.status).toBe(409);
      expect(conflict.body.details).toHaveProperty("phone_number");
      const invalid = await call("PATCH", `/users/${user.id}/phones/${primary.id}`, { phone_number: "123" });
      expect(invalid.status).toBe(400);
      expect((await phonesOf(user.id))[0].phone_number).toBe(mine);
    });

    it("a changed number is unverified unless the request says verified: true; the primary's is refused without it", async () => {
      const user = await createUser(call, { phone_number: uniquePhone() });
      const [primary] = await phonesOf(user.id);
      const added = (await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone(), verified: true })).body;
      const next = uniquePhone();
      const changed = await call("PATCH", `/users/${user.id}/phones/${added.id}`, { phone_number: next });
      expect(changed.body).toMatchObject({ phone_number: next, verified: false, verified_at: null, is_primary: false });
      const refused = await call("PATCH", `/users/${user.id}/phones/${primary.id}`, { phone_number: uniquePhone() });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: "primary_value_needs_verified", details: { phone_number: expect.any(String) } });
      expect((await phonesOf(user.id)).find((phone) => phone.id === primary.id)).toEqual(primary);
    });

    it("with is_primary true demotes the old primary; un-verifying the primary is refused", async () => {
      const user = await createUser(call, { phone_number: uniquePhone() });
      const [old] = await phonesOf(user.id);
      const added = (await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone(), verified: true })).body;
      const promoted = await call("PATCH", `/users/${user.id}/phones/${added.id}`, { is_primary: true });
      expect(promoted.status).toBe(200);
      const phones = await phonesOf(user.id);
      expect(phones.filter((p) => p.is_primary).map((p) => p.id)).toEqual([added.id]);
      expect(phones.find((p) => p.id === old.id).is_primary).toBe(false);

      const unverify = await call("PATCH", `/users/${user.id}/phones/${added.id}`, { verified: false });
      expect(unverify.status).toBe(409);
      expect((await phonesOf(user.id)).find((p) => p.id === added.id)).toMatchObject({ verified: true, is_primary: true });
    });
  });

  describe("delete and make-primary", () => {
    it("answers 404 for unknown and foreign phones; refuses the primary while another exists", async () => {
      const user = await createUser(call, { phone_number: uniquePhone() });
      const other = await createUser(call, { phone_number: uniquePhone() });
      const [primary] = await phonesOf(user.id);
      const [othersPhone] = await phonesOf(other.id);
      const unknown = await call("DELETE", `/users/${user.id}/phones/phn_nope`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe("phone_number_not_found");
      expect((await call("DELETE", `/users/${user.id}/phones/${othersPhone.id}`)).status).toBe(404);
      expect(await phonesOf(other.id)).toHaveLength(1);

      const added = (await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone() })).body;
      const refused = await call("DELETE", `/users/${user.id}/phones/${primary.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain("make another primary first");

      const notVerified = await call("POST", `/users/${user.id}/phones/${added.id}/make-primary`);
      expect(notVerified.status).toBe(400);
      expect(notVerified.body.code).toBe("primary_must_be_verified");
      expect((await phonesOf(user.id)).find((p) => p.id === primary.id).is_primary).toBe(true);

      expect((await call("PATCH", `/users/${user.id}/phones/${added.id}`, { verified: true })).status).toBe(200);
      const made = await call("POST", `/users/${user.id}/phones/${added.id}/make-primary`);
      expect(made.status).toBe(200);
      expect(made.body).toEqual({});
      const details = await getDetails(call, user.id);
      expect(details.primary_phone_number_id).toBe(added.id);
      expect(details.primary_phone_number).toBe(added.phone_number);
      expect(details.phone_numbers.filter((p: any) => p.is_primary)).toHaveLength(1);

      expect((await call("DELETE", `/users/${user.id}/phones/${primary.id}`)).status).toBe(200);
      expect((await phonesOf(user.id)).map((p) => p.id)).toEqual([added.id]);
      expect((await call("POST", `/users/${user.id}/phones/${othersPhone.id}/make-primary`)).status).toBe(404);
    });
  });
});
