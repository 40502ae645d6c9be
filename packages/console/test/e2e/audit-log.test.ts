import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBrowser } from "../helpers/browser.js";
import { createUser, expectNoSeriousAxeViolations, openConsole, screenshot, startConsoleHarness, type ConsoleHarness } from "../helpers/console.js";

type Entry = { id: string; action: string; target: { type: string; id: string }; created_at: string };

const rows = (page: Page) => page.locator("main table tbody tr");
const column = (page: Page, label: string) => page.locator(`main table tbody td[data-label="${label}"]`).allTextContents();

describe.skipIf(!hasBrowser)("the audit log page in Chromium", () => {
  let harness: ConsoleHarness;
  let ada: { id: string };
  let everything: Entry[];
  beforeAll(async () => {
    harness = await startConsoleHarness();
    ada = await createUser(harness.call, { first_name: "Ada", last_name: "Audit", email_address: "ada.audit@example.com" });
    const bob = await createUser(harness.call, { first_name: "Bob", last_name: "Audit", email_address: "bob.audit@example.com" });
    // More entries than one page holds (25), most of them updates of Ada.
    for (let round = 1; round <= 30; round += 1) {
      expect((await harness.call("PATCH", `/users/${ada.id}`, { public_metadata: { round } })).status).toBe(200);
    }
    expect((await harness.call("PATCH", `/users/${bob.id}`, { first_name: "Robert" })).status).toBe(200);
    expect((await harness.call("DELETE", `/users/${bob.id}`)).status).toBe(200);
    everything = (await harness.call("GET", "/audit-logs?limit=100")).body.data;
  });
  afterAll(async () => harness?.close());

  it("lists entries newest first and pages through them by cursor, with the page in the URL", async () => {
    const { context, page, pageErrors } = await openConsole(harness);
    await page.goto("/console/audit-log");
    await expect.poll(() => column(page, "Action")).toEqual(everything.slice(0, 25).map((entry) => entry.action));
    expect((await column(page, "Action"))[0]).toBe("user.delete");
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, "audit-log");

    await page.getByRole("button", { name: "Older entries" }).click();
    await expect.poll(() => column(page, "Action")).toEqual(everything.slice(25, 50).map((entry) => entry.action));
    expect(new URL(page.url()).searchParams.get("after")).toBe(everything[24]!.id);
    // The link opens the same page for someone else.
    const shared = await openConsole(harness);
    await shared.page.goto(page.url());
    await expect.poll(() => column(shared.page, "Action")).toEqual(everything.slice(25, 50).map((entry) => entry.action));
    await shared.context.close();

    await page.getByRole("button", { name: "Newer entries" }).click();
    await expect.poll(() => column(page, "Action")).toEqual(everything.slice(0, 25).map((entry) => entry.action));
    expect(await page.getByRole("button", { name: "Newer entries" }).isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("filters by user, by action and by time range, in the URL, and says when nothing matches", async () => {
    const { context, page, pageErrors } = await openConsole(harness);
    await page.goto("/console/audit-log");
    await rows(page).first().waitFor();

    await page.getByLabel("Action").fill("user.delete");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(() => column(page, "Action")).toEqual(["user.delete"]);
    expect(new URL(page.url()).searchParams.get("action")).toBe("user.delete");

    await page.getByLabel("Action").fill("");
    await page.getByLabel("User id").fill(ada.id);
    await page.getByRole("button", { name: "Apply filters" }).click();
    const adaEntries = (await harness.call("GET", `/audit-logs?user_id=${ada.id}&limit=25`)).body.data as Entry[];
    await expect.poll(() => column(page, "Action")).toEqual(adaEntries.map((entry) => entry.action));
    expect(new Set(await column(page, "Target"))).toEqual(new Set([`user ${ada.id}`]));
    expect(new URL(page.url()).searchParams.get("user")).toBe(ada.id);

    // A range that ends before anything happened matches nothing.
    await page.getByLabel("Until").fill("2001-01-01T00:00");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("No entry matches these filters.").waitFor();
    expect(new URL(page.url()).searchParams.get("until")).toBe(new Date("2001-01-01T00:00").toISOString());

    // And one starting then matches all of Ada's again.
    await page.getByLabel("Until").fill("");
    await page.getByLabel("From").fill("2001-01-01T00:00");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(() => column(page, "Action")).toEqual(adaEntries.map((entry) => entry.action));

    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(() => column(page, "Action")).toEqual(everything.slice(0, 25).map((entry) => entry.action));
    expect(new URL(page.url()).search).toBe("");
    expect(await page.getByLabel("User id").inputValue()).toBe("");
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("shows the API's message for a malformed filter, not a blank page", async () => {
    const { context, page } = await openConsole(harness);
    await page.goto("/console/audit-log");
    await rows(page).first().waitFor();
    await page.getByLabel("User id").fill("not an id!");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("user_id");
    await context.close();
  });

  it("fits a 390 px screen", async () => {
    const { context, page } = await openConsole(harness, { width: 390 });
    await page.goto("/console/audit-log");
    await rows(page).first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, "audit-log-390");
    await context.close();
  });
});
