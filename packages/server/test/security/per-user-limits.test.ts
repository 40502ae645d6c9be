import { describe, expect, it } from "vitest";
import { uniqueEmail, uniquePhone, uniqueUsername } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createUser, getDetails } from "../helpers/fixtures.js";
import { useServer } from "../helpers/use-server.js";

/**
 * Issue 9, item 16: a user's emails, phones and social connections are capped (50 of each), and
 * the cap holds under 100 concurrent adds: the count is taken with the user's row locked.
 */
const CAP = 50;
const RACERS = 100;

describe.each(DIALECTS)("per-user limits on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;

  /** A user with no email, phone or connection: a username only. */
  const bareUser = () => createUser(call, { email_address: undefined, username: uniqueUsername("capped") });

  /** Sends every request at once; expects CAP winners and the rest refused with the limit naming `field`. */
  async function raceToCap(send: (index: number) => Promise<{ status: number; body: any }>, field: string, pluralNoun: string) {
    const answers = await Promise.all(Array.from({ length: RACERS }, (_, index) => send(index)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(CAP);
    for (const refused of answers.filter((answer) => answer.status !== 200)) {
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body).toMatchObject({
        code: "per_user_limit_reached",
        message: `A user has at most ${CAP} ${pluralNoun}.`,
        details: { [field]: `at most ${CAP} ${pluralNoun} per user` },
        errors: [{ code: 400 }],
      });
    }
  }

  it("caps emails at 50 under 100 concurrent adds, and keeps refusing once full", async () => {
    const user = await bareUser();
    await raceToCap(
      (index) => call("POST", `/users/${user.id}/emails`, { email: uniqueEmail(`race${index}`), verified: index % 2 === 0 }),
      "email",
      "email addresses",
    );
    const details = await getDetails(call, user.id);
    expect(details.email_addresses).toHaveLength(CAP);
    expect(details.email_addresses.filter((email: any) => email.is_primary)).toHaveLength(1);
    expect((await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail("late") })).body.code).toBe("per_user_limit_reached");
    // Removing one makes room for one.
    const removable = details.email_addresses.find((email: any) => !email.is_primary);
    expect((await call("DELETE", `/users/${user.id}/emails/${removable.id}`)).status).toBe(200);
    expect((await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail("room") })).status).toBe(200);
  });

  it("caps phone numbers at 50 under 100 concurrent adds", async () => {
    const user = await bareUser();
    await raceToCap(
      (index) => call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone(), verified: index === 0 }),
      "phone_number",
      "phone numbers",
    );
    expect((await getDetails(call, user.id)).phone_numbers).toHaveLength(CAP);
  });

  it("caps social connections at 50 under 100 concurrent links", async () => {
    const user = await bareUser();
    const tag = uniqueUsername("sub");
    await raceToCap(
      (index) => call("POST", `/users/${user.id}/social-connections`, { provider: "github", provider_user_id: `${tag}-${index}` }),
      "provider_user_id",
      "social connections",
    );
    expect((await call("GET", `/users/${user.id}/social-connections`)).body.data).toHaveLength(CAP);
  });

  it("refuses a link whose email would pass the email cap, writing neither the email nor the connection", async () => {
    const user = await bareUser();
    for (let index = 0; index < CAP; index++) expect((await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail(`full${index}`) })).status).toBe(200);
    const refused = await call("POST", `/users/${user.id}/social-connections`, {
      provider: "google",
      provider_user_id: uniqueUsername("g"),
      email_address: uniqueEmail("provider"),
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: "per_user_limit_reached", details: { email_address: `at most ${CAP} email addresses per user` } });
    const details = await getDetails(call, user.id);
    expect(details.email_addresses).toHaveLength(CAP);
    expect(details.social_connections).toEqual([]);
    // A link that brings an address the user already has adds no email, so it still fits.
    const known = details.email_addresses[0].email;
    expect(
      (await call("POST", `/users/${user.id}/social-connections`, { provider: "google", provider_user_id: uniqueUsername("g"), email_address: known })).status,
    ).toBe(200);
  });

  it("refuses an import update that would take a user past the cap, as that item's failure", async () => {
    const externalId = `cap|${uniqueUsername("ext")}`;
    const created = await call("POST", "/users/import", {
      users: [
        { external_id: externalId, email_addresses: Array.from({ length: CAP }, (_, index) => ({ email: uniqueEmail(`imp${index}`), verified: index === 0 })) },
      ],
    });
    expect(created.body).toMatchObject({ created: 1, failed: 0 });
    const userId = created.body.results[0].user_id;
    const tooMany = await call("POST", "/users/import", {
      on_conflict: "update",
      users: [{ external_id: externalId, first_name: "More", email_addresses: [{ email: uniqueEmail("one-more") }] }],
    });
    expect(tooMany.status).toBe(200);
    expect(tooMany.body).toMatchObject({ updated: 0, failed: 1 });
    expect(tooMany.body.results[0].error).toMatchObject({ code: "per_user_limit_reached", field: "email_addresses" });
    const details = await getDetails(call, userId);
    expect(details.email_addresses).toHaveLength(CAP);
    expect(details.first_name).not.toBe("More");
    // An import item brings at most 50 of each kind (the import schema's maxItems).
    const oversized = await call("POST", "/users/import", {
      users: [{ email_addresses: Array.from({ length: CAP + 1 }, () => ({ email: uniqueEmail("big") })) }],
    });
    expect(oversized.body).toMatchObject({ created: 0, failed: 1 });
    expect(oversized.body.results[0].error).toMatchObject({ field: "email_addresses" });
  });
  /** A user imported with `emails` addresses and `connections` GitHub connections, updated by external_id. */
  async function importedUser(emails: number, connections: number, tag: string) {
    const externalId = `cap|${uniqueUsername(tag)}`;
    const created = await call("POST", "/users/import", {
      users: [
        {
          external_id: externalId,
          email_addresses: Array.from({ length: emails }, (_, index) => ({ email: uniqueEmail(`${tag}${index}`), verified: index === 0 })),
          social_connections: Array.from({ length: connections }, (_, index) => ({ provider: "github", provider_user_id: `${externalId}-${index}` })),
        },
      ],
    });
    expect(created.body).toMatchObject({ created: 1, failed: 0 });
    return { externalId, userId: created.body.results[0].user_id as string };
  }

  it("refuses an import update adding 2 emails to a user at 49, as that item's failure, adding neither", async () => {
    const { externalId, userId } = await importedUser(CAP - 1, 0, "at49");
    const update = await call("POST", "/users/import", {
      on_conflict: "update",
      users: [{ external_id: externalId, email_addresses: [{ email: uniqueEmail("two-a") }, { email: uniqueEmail("two-b") }] }],
    });
    expect(update.body).toMatchObject({ updated: 0, failed: 1 });
    expect(update.body.results[0].error).toMatchObject({ code: "per_user_limit_reached", field: "email_addresses" });
    expect((await getDetails(call, userId)).email_addresses).toHaveLength(CAP - 1);
  });

  it("holds the caps when admin adds race import updates of the same user (each update locks the user's row)", async () => {
    const { externalId, userId } = await importedUser(CAP - 1, CAP - 1, "race49");
    const tag = uniqueUsername("mixed");
    const adminAdds = Array.from({ length: 6 }, (_, index) => [
      call("POST", `/users/${userId}/emails`, { email: uniqueEmail(`admin${index}`) }),
      call("POST", `/users/${userId}/social-connections`, { provider: "github", provider_user_id: `${tag}-admin-${index}` }),
    ]).flat();
    const importUpdates = Array.from({ length: 4 }, (_, index) =>
      call("POST", "/users/import", {
        on_conflict: "update",
        users: [
          {
            external_id: externalId,
            email_addresses: [{ email: uniqueEmail(`import${index}`) }],
            social_connections: [{ provider: "github", provider_user_id: `${tag}-import-${index}` }],
          },
        ],
      }),
    );
    const answers = await Promise.all([...adminAdds, ...importUpdates]);
    for (const answer of answers.slice(0, adminAdds.length)) expect([200, 400], JSON.stringify(answer.body)).toContain(answer.status);
    for (const answer of answers.slice(adminAdds.length)) {
      expect(answer.status).toBe(200);
      if (answer.body.failed === 1) expect(answer.body.results[0].error).toMatchObject({ code: "per_user_limit_reached" });
      else expect(answer.body).toMatchObject({ updated: 1 });
    }
    const details = await getDetails(call, userId);
    expect(details.email_addresses).toHaveLength(CAP);
    expect(details.social_connections).toHaveLength(CAP);
  });
});
