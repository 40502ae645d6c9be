import { describe, expect, it } from "vitest";
import { listEmails, listPhones } from "../../src/identifiers/identifiers.service.js";
import { getSecondFactorState } from "../../src/second-factors/second-factors.service.js";
import { listSocialConnections } from "../../src/social-connections/social-connections.service.js";
import { getUserDetails } from "../../src/user-accounts/user-accounts.service.js";
import { toUserDetailsJson } from "../../src/users/users.schemas.js";
import { getUser } from "../../src/users/users.service.js";
import { uniqueEmail, uniquePhone, uniqueUsername } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { createUser, getDetails } from "../helpers/fixtures.js";
import { newTotpSecret } from "../helpers/second-factors.js";
import { useServer } from "../helpers/use-server.js";

describe.each(DIALECTS)("the one-statement details read on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;
  const context = { publicUrl: "http://127.0.0.1" };

  /** The details as read before, one statement per table: the document the one-statement read must equal. */
  async function detailsPerTable(userId: string) {
    const { db, deploymentId } = server;
    const [user, emails, phones, socialConnections, secondFactors] = await Promise.all([
      getUser(db, deploymentId, userId),
      listEmails(db, deploymentId, userId),
      listPhones(db, deploymentId, userId),
      listSocialConnections(db, deploymentId, userId),
      getSecondFactorState(db, deploymentId, userId),
    ]);
    return { user, emails, phones, socialConnections, secondFactors };
  }

  async function expectSameDocuments(userId: string) {
    const oneStatement = await getUserDetails(server.db, server.deploymentId, userId);
    const perTable = await detailsPerTable(userId);
    expect(oneStatement).toEqual(perTable);
    expect(toUserDetailsJson(oneStatement, context)).toEqual(toUserDetailsJson(perTable, context));
    return perTable;
  }

  it("equals the per-table read for a user with many emails, phones and connections", async () => {
    const user = await createUser(call, {
      username: uniqueUsername(),
      phone_number: uniquePhone(),
      skip_password_check: true,
      password: undefined,
      public_metadata: { plan: "pro", n: [1, 2] },
    });
    for (let i = 0; i < 6; i++) {
      expect((await call("POST", `/users/${user.id}/emails`, { email: uniqueEmail(`extra${i}`), verified: i % 2 === 0 })).status).toBe(200);
      expect((await call("POST", `/users/${user.id}/phones`, { phone_number: uniquePhone(), verified: i % 3 === 0 })).status).toBe(200);
    }
    const emails = (await call("GET", `/users/${user.id}/emails`)).body;
    const emailList = Array.isArray(emails) ? emails : emails.data;
    for (let i = 0; i < 4; i++) {
      const body = {
        provider: i % 2 ? "github" : "google",
        provider_user_id: `pid-${user.id}-${i}`,
        ...(i < 2 && { email_address: emailList[i].email_address }),
      };
      expect((await call("POST", `/users/${user.id}/social-connections`, body)).status).toBe(200);
    }
    const perTable = await expectSameDocuments(user.id);
    expect(perTable.emails).toHaveLength(7);
    expect(perTable.phones).toHaveLength(7);
    expect(perTable.socialConnections).toHaveLength(4);
    // And over HTTP the details answer is that document.
    expect(await getDetails(call, user.id)).toEqual(JSON.parse(JSON.stringify(toUserDetailsJson(perTable, { publicUrl: server.baseUrl }))));
  });

  it("equals the per-table read for a user with no identifiers besides a username", async () => {
    const user = await createUser(call, { username: uniqueUsername(), email_address: undefined, skip_password_check: true, password: undefined });
    const perTable = await expectSameDocuments(user.id);
    expect(perTable.emails).toEqual([]);
    expect(perTable.phones).toEqual([]);
    expect(perTable.socialConnections).toEqual([]);
  });

  it("equals the per-table read for an imported user: rows sharing one created_at (ordered by id), an authenticator and backup codes", async () => {
    const response = await call("POST", "/users/import", {
      users: [
        {
          email_addresses: [0, 1, 2, 3, 4].map((i) => ({ email: uniqueEmail(`tie${i}`), verified: i !== 2, primary: i === 3 })),
          phone_numbers: [0, 1, 2].map((i) => ({ phone_number: uniquePhone(), verified: true, primary: i === 0 })),
          totp_secret: newTotpSecret(),
          backup_codes: ["abcd2345", "efgh6789"],
        },
      ],
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const [result] = response.body.results;
    expect(result.status, JSON.stringify(result)).toBe("created");
    const perTable = await expectSameDocuments(result.user_id);
    expect(perTable.emails).toHaveLength(5);
    expect(perTable.phones).toHaveLength(3);
    expect(perTable.secondFactors).toEqual({ totpEnabled: true, hasBackupCodes: true, passkeysCount: 0 });
  });

  it("answers 404 user_not_found for a user of no deployment", async () => {
    const response = await call("GET", "/users/usr_nobody/details");
    expect(response.status).toBe(404);
    expect(response.body.code).toBe("user_not_found");
  });
});
