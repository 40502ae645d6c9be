import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enrolTotp, issueBackupCodes, totpAt } from "../../../server/test/helpers/second-factors.js";
import { hasBrowser } from "../helpers/browser.js";
import { createUser, expectNoSeriousAxeViolations, openConsole, screenshot, startConsoleHarness, type ConsoleHarness } from "../helpers/console.js";

describe.skipIf(!hasBrowser)("second factors and the audit trail on the user detail page in Chromium", () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    harness = await startConsoleHarness();
  });
  afterAll(async () => harness?.close());

  const details = async (userId: string) => (await harness.call("GET", `/users/${userId}/details`)).body;
  const section = (page: import("playwright-core").Page, heading: string) => page.locator("section.card", { has: page.getByRole("heading", { name: heading, exact: true }) });

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
