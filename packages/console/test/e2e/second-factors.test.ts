import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOD_PASSWORD } from "../../../server/test/helpers/fixtures.js";
import { frontendClient } from "../../../server/test/helpers/frontend.js";
import { enrolTotp, issueBackupCodes, totpAt } from "../../../server/test/helpers/second-factors.js";
import { SoftAuthenticator } from "../../../server/test/helpers/soft-authenticator.js";
import { hasBrowser } from "../helpers/browser.js";
import { createUser, expectNoSeriousAxeViolations, openConsole, screenshot, startConsoleHarness, type ConsoleHarness } from "../helpers/console.js";

describe.skipIf(!hasBrowser)("second factors and the audit trail on the user detail page in Chromium", () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    harness = await startConsoleHarness();
  });
  afterAll(async () => harness?.close());

  const details = async (userId: string) => (await harness.call("GET", `/users/${userId}/details`)).body;
  const section = (page: import("playwright-core").Page, heading: string) =>
    page.locator("section.card", { has: page.getByRole("heading", { name: heading, exact: true }) });

  it("removes an authenticator the API enrolled, behind a confirmation, and shows new backup codes once with a copy button", async () => {
    const user = await createUser(harness.call, { first_name: "Katherine", last_name: "Johnson", email_address: "katherine@example.com" });
    const secret = await enrolTotp(harness.call, user.id);
    const oldCodes = await issueBackupCodes(harness.call, user.id);
    const { context, page, pageErrors } = await openConsole(harness);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);

    // The users table shows the MFA badge from the list item itself, with no details read per row.
    const detailsReads: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/details")) detailsReads.push(request.url());
    });
    await page.goto("/console/users?q=katherine");
    await page.locator("table.users-table tbody tr").filter({ hasText: "Katherine Johnson" }).getByText("MFA").waitFor();
    expect(detailsReads).toEqual([]);

    await page.goto(`/console/users/${user.id}`);
    const factors = section(page, "Second factors");
    await factors.getByText("Unused codes remain").waitFor();
    await factors.getByText("No passkeys.").waitFor();
    await expectNoSeriousAxeViolations(page);
    await factors.evaluate((element) => element.scrollIntoView({ block: "start" }));
    await screenshot(page, "second-factors");

    // Cancel first: nothing changes.
    await factors.getByRole("button", { name: "Remove authenticator" }).click();
    const confirm = page.getByRole("dialog", { name: "Remove the authenticator?" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "hidden" });
    expect((await details(user.id)).totp_enabled).toBe(true);

    await factors.getByRole("button", { name: "Remove authenticator" }).click();
    await confirm.getByRole("button", { name: "Remove authenticator" }).click();
    await factors.getByText("No authenticator.").waitFor();
    expect(await factors.getByRole("status").filter({ hasText: "Authenticator removed." }).count()).toBe(1);
    expect((await details(user.id)).totp_enabled).toBe(false);
    const refusedCode = await harness.call("POST", `/users/${user.id}/verify-totp`, { code: totpAt(secret, Date.now()) });
    expect(refusedCode.status).not.toBe(200);

    await factors.getByRole("button", { name: "Regenerate backup codes" }).click();
    await page.getByRole("dialog", { name: "Regenerate backup codes?" }).getByRole("button", { name: "Regenerate codes" }).click();
    const shown = page.getByRole("dialog", { name: "Copy the backup codes now" });
    const codes = (await shown.getByLabel("Backup codes").inputValue()).split("\n");
    expect(codes).toHaveLength(12);
    expect(codes.every((code) => /^[A-Z0-9]{4}-[A-Z0-9]{4}$/i.test(code))).toBe(true);
    expect(codes.filter((code) => oldCodes.includes(code))).toEqual([]);
    await shown.getByRole("button", { name: "Copy codes" }).click();
    await shown.getByRole("status").filter({ hasText: "Copied to the clipboard." }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codes.join("\n"));
    await shown.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "hidden" });
    // The new codes work, the old ones do not.
    expect((await harness.call("POST", `/users/${user.id}/verify-totp`, { code: oldCodes[0] })).status).not.toBe(200);
    expect((await harness.call("POST", `/users/${user.id}/verify-totp`, { code: codes[0] })).body).toMatchObject({ verified: true, code_type: "backup_code" });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  /** A passkey registered the way a browser does it (a signed-in session, then WebAuthn), by a software authenticator. */
  async function registerPasskey(email: string, name: string): Promise<void> {
    const signIn = await frontendClient(harness.server.baseUrl).signIn(email, GOOD_PASSWORD);
    expect(signIn.status).toBe(200);
    const post = async (path: string, body: unknown, headers: Record<string, string>) => {
      const response = await fetch(`${harness.server.baseUrl}${path}`, {
        method: "POST",
        headers: { ...(body !== undefined && { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const options = await post("/passkeys/registration/options", undefined, { authorization: `Bearer ${signIn.body.token}` });
    expect(options.status).toBe(200);
    const response = new SoftAuthenticator({ origin: harness.server.baseUrl, backedUp: true }).createCredential(options.body);
    const verified = await post("/passkeys/registration/verify", { response, name }, { cookie: `__session=${signIn.body.token}` });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  }

  it("lists and removes a passkey registered through WebAuthn, behind a confirmation", async () => {
    const user = await createUser(harness.call, { first_name: "Annie", last_name: "Easley", email_address: "annie@example.com", password: GOOD_PASSWORD });
    await registerPasskey(user.primary_email_address, "Annie's laptop");
    await registerPasskey(user.primary_email_address, "Annie's phone");
    const { context, page, pageErrors } = await openConsole(harness);
    await page.goto(`/console/users/${user.id}`);
    const factors = section(page, "Second factors");
    await expect.poll(() => factors.locator("tbody td[data-label=Name]").allTextContents()).toEqual(["Annie's phone", "Annie's laptop"]);
    await factors.getByRole("button", { name: "Remove passkey Annie's laptop" }).click();
    const confirm = page.getByRole("dialog", { name: "Remove this passkey?" });
    await confirm.getByText("The passkey Annie's laptop can no longer sign the user in.").waitFor();
    await confirm.getByRole("button", { name: "Remove passkey" }).click();
    await expect.poll(() => factors.locator("tbody td[data-label=Name]").allTextContents()).toEqual(["Annie's phone"]);
    const left = (await harness.call("GET", `/users/${user.id}/passkeys`)).body.data;
    expect(left.map((passkey: { name: string }) => passkey.name)).toEqual(["Annie's phone"]);
    expect((await details(user.id)).passkeys_count).toBe(1);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("shows the user's audit trail newest first, a page at a time", async () => {
    const user = await createUser(harness.call, { first_name: "Dorothy", last_name: "Vaughan", email_address: "dorothy@example.com" });
    for (let round = 1; round <= 12; round += 1) {
      expect((await harness.call("PATCH", `/users/${user.id}`, { public_metadata: { round } })).status).toBe(200);
    }
    const api = (await harness.call("GET", `/audit-logs?user_id=${user.id}&limit=100`)).body.data as Array<{ id: string; action: string }>;
    expect(api.length).toBeGreaterThanOrEqual(13);
    const { context, page, pageErrors } = await openConsole(harness);
    await page.goto(`/console/users/${user.id}`);
    const trail = section(page, "Audit trail");
    const actions = () => trail.locator("tbody tr td:nth-child(2)").allTextContents();
    await expect.poll(actions).toEqual(api.slice(0, 10).map((entry) => entry.action));
    expect((await actions())[0]).toBe("user.update");
    await trail.getByRole("button", { name: "Older entries" }).click();
    await expect.poll(actions).toEqual(api.slice(10, 20).map((entry) => entry.action));
    expect(await actions()).toContain("user.create");
    await trail.getByRole("button", { name: "Newer entries" }).click();
    await expect.poll(actions).toEqual(api.slice(0, 10).map((entry) => entry.action));
    await trail.getByRole("link", { name: "Open in the audit log" }).click();
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
    expect(new URL(page.url()).searchParams.get("user")).toBe(user.id);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("fits a 390 px screen with the second factors and the trail", async () => {
    const user = await createUser(harness.call, { first_name: "Mary", last_name: "Narrow", email_address: "mary.narrow@example.com" });
    await enrolTotp(harness.call, user.id);
    const { context, page } = await openConsole(harness, { width: 390 });
    await page.goto(`/console/users/${user.id}`);
    await section(page, "Second factors").getByText("No passkeys.").waitFor();
    await section(page, "Audit trail").locator("tbody tr").first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoSeriousAxeViolations(page);
    await context.close();
  });
});
