import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBrowser } from "../helpers/browser.js";
import { createUser, expectNoSeriousAxeViolations, openConsole, screenshot, startConsoleHarness, type ConsoleHarness } from "../helpers/console.js";

const FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Dennis", "Radia", "Tim"];
const USER_COUNT = 32;

/** The text of one column of the users table, top to bottom. */
const columnOf = (page: Page, index: number) => page.locator(`table.users-table tbody tr td:nth-child(${index})`).allTextContents();
const summaryOf = (page: Page) => page.locator(".summary").textContent();

describe.skipIf(!hasBrowser)("the users pages in Chromium", () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    harness = await startConsoleHarness();
    for (let index = 0; index < USER_COUNT; index += 1) {
      const first = FIRST_NAMES[index % FIRST_NAMES.length]!;
      const serial = String(index).padStart(2, "0");
      await createUser(harness.call, {
        first_name: first,
        last_name: `Tester${serial}`,
        email_address: `${first.toLowerCase()}.${serial}@example.com`,
        username: `${first.toLowerCase()}_${serial}`,
        ...(index % 4 === 0 ? { phone_number: `+1415555${String(1000 + index)}` } : {}),
      });
    }
    const zebulon = await createUser(harness.call, { first_name: "Zebulon", last_name: "Quux", email_address: "zeb@zoo.example", username: "zebra_keeper" });
    expect((await harness.call("PATCH", `/users/${zebulon.id}`, { disabled: true })).status).toBe(200);
  });
  afterAll(async () => harness?.close());

  it("lists users in a table with the total, status columns and no serious accessibility issue", async () => {
    const { context, page, pageErrors } = await openConsole(harness);
    await expect.poll(() => summaryOf(page)).toBe(`Showing 1–25 of ${USER_COUNT + 1} users`);
    expect(await page.locator("table.users-table thead th").allTextContents()).toEqual(
      ["Name↕", "Primary email↕", "Phone↕", "Username↕", "Created▼", "Last sign-in", "Status"].map((text) => text.replace(/^Name↕$/, "Name")),
    );
    expect(await page.locator("table.users-table tbody tr").count()).toBe(25);
    // Newest first by default: the last user created is on top.
    expect((await columnOf(page, 1))[0]).toBe("Zebulon Quux");
    await expect.poll(async () => (await columnOf(page, 7)).slice(0, 2)).toEqual(["Disabled", "Active"]);
    expect((await columnOf(page, 6))[0]).toBe("Never");
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, "users");
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("searches as you type on the server, keeps the search in a shareable URL, and says when nothing matches", async () => {
    const { context, page } = await openConsole(harness);
    await page.getByLabel("Search users").fill("zebra");
    await expect.poll(() => summaryOf(page)).toBe("Showing 1–1 of 1 user matching “zebra”");
    expect(await columnOf(page, 4)).toEqual(["zebra_keeper"]);
    expect(new URL(page.url()).search).toBe("?q=zebra");

    // Someone opening the link sees the same page.
    const shared = await openConsole(harness);
    await shared.page.goto("/console/users?q=GRACE");
    await expect.poll(() => summaryOf(shared.page)).toBe("Showing 1–3 of 3 users matching “GRACE”");
    expect(await shared.page.getByLabel("Search users").inputValue()).toBe("GRACE");
    await shared.context.close();

    await page.getByLabel("Search users").fill("nobody-has-this");
    await expect.poll(() => page.locator(".empty").textContent()).toMatch(/^No user matches this search/);
    await expect.poll(() => summaryOf(page)).toBe("No users matching “nobody-has-this”");
    await context.close();
  });

  it("sorts by a column on the server, flipping the order on a second click", async () => {
    const { context, page } = await openConsole(harness);
    await page.getByRole("button", { name: "Username" }).click();
    await expect.poll(() => new URL(page.url()).search).toBe("?sort=username&order=asc");
    const expected = (await harness.call("GET", "/users?limit=25&sort_key=username&sort_order=asc")).body.data.map(
      (user: { username: string }) => user.username,
    );
    await expect.poll(() => columnOf(page, 4)).toEqual(expected);
    expect(expected[0]).toBe("ada_00");
    expect(await page.locator("th[aria-sort=ascending]").textContent()).toBe("Username▲");

    await page.getByRole("button", { name: "Username" }).click();
    await expect.poll(async () => (await columnOf(page, 4))[0]).toBe("zebra_keeper");
    expect(new URL(page.url()).search).toBe("?sort=username&order=desc");
    await context.close();
  });

  it("pages through users, with the page in the URL", async () => {
    const { context, page } = await openConsole(harness);
    await page.goto("/console/users?sort=email&order=asc");
    await expect.poll(() => summaryOf(page)).toBe(`Showing 1–25 of ${USER_COUNT + 1} users`);
    const firstPage = await columnOf(page, 2);
    await page.getByRole("button", { name: "Next page" }).click();
    await expect.poll(() => summaryOf(page)).toBe(`Showing 26–${USER_COUNT + 1} of ${USER_COUNT + 1} users`);
    expect(new URL(page.url()).searchParams.get("page")).toBe("2");
    const secondPage = await columnOf(page, 2);
    expect(secondPage).toHaveLength(USER_COUNT + 1 - 25);
    expect(secondPage.some((email) => firstPage.includes(email))).toBe(false);
    expect([...firstPage, ...secondPage]).toEqual([...firstPage, ...secondPage].sort());
    expect(await page.getByRole("button", { name: "Next page" }).isDisabled()).toBe(true);
    expect(await page.getByText("Page 2 of 2").count()).toBe(1);

    // A link past the last page says so and offers the way back.
    await page.goto("/console/users?page=9");
    await expect.poll(() => page.locator(".empty").textContent()).toBe("Page 9 is past the last page. Go to the first page");
    await page.getByRole("button", { name: "Go to the first page" }).click();
    await expect.poll(() => summaryOf(page)).toBe(`Showing 1–25 of ${USER_COUNT + 1} users`);
    await page.goto("/console/users?sort=email&order=asc&page=2");

    await page.getByLabel("Rows per page").selectOption("10");
    await expect.poll(() => summaryOf(page)).toBe(`Showing 1–10 of ${USER_COUNT + 1} users`);
    await page.goBack();
    await expect.poll(() => summaryOf(page)).toBe(`Showing 26–${USER_COUNT + 1} of ${USER_COUNT + 1} users`);
    await context.close();
  });

  it("creates a user, showing the API's refusal of a taken email on its field", async () => {
    const { context, page } = await openConsole(harness);
    await page.getByRole("link", { name: "Create user" }).click();
    await page.getByRole("heading", { name: "Create user" }).waitFor();
    await expectNoSeriousAxeViolations(page);
    await page.getByLabel("First name").fill("Katherine");
    await page.getByLabel("Last name").fill("Johnson");
    await page.getByLabel("Email address").fill("ADA.00@example.com");
    await page.getByLabel("Phone number").fill("12");
    await page.getByLabel("Public metadata (JSON)").fill("{ not json");
    await page.getByRole("button", { name: "Create user" }).click();
    // Checked in the page before anything is sent.
    await expect.poll(() => page.locator(".field-error").allTextContents()).toEqual([expect.stringMatching(/^Not valid JSON/)]);
    await page.getByLabel("Public metadata (JSON)").fill('{"plan": "pro"}');
    await page.getByRole("button", { name: "Create user" }).click();
    await expect.poll(() => page.locator(".field-error").count()).toBeGreaterThan(0);
    const phoneError = await page.getByLabel("Phone number").getAttribute("aria-invalid");
    expect(phoneError).toBe("true");
    await page.getByLabel("Phone number").fill("");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple 42");
    await page.getByRole("button", { name: "Create user" }).click();
    await expect.poll(() => page.locator(".field-error").allTextContents()).toEqual(["That email address is already in use by another user."]);
    expect(await page.getByLabel("Email address").getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "create-user");

    await page.getByLabel("Email address").fill("katherine@nasa.example");
    await page.getByLabel("Username").fill("kjohnson");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByRole("heading", { name: "Katherine Johnson" }).waitFor();
    expect(await page.getByRole("status").first().textContent()).toBe("User created.");
    const id = new URL(page.url()).pathname.split("/").pop()!;
    const details = (await harness.call("GET", `/users/${id}/details`)).body;
    expect([details.primary_email_address, details.username, details.public_metadata]).toEqual(["katherine@nasa.example", "kjohnson", { plan: "pro" }]);
    await context.close();
  });

  it("works from the keyboard alone: skip link, search, sort, open a user", async () => {
    const { context, page } = await openConsole(harness);
    await page.locator(".summary").waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("user-search");
    await page.keyboard.type("zebra");
    await expect.poll(() => summaryOf(page)).toBe("Showing 1–1 of 1 user matching “zebra”");
    // Onward to the first sort button and the user's link.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Primary email↕");
    await page.keyboard.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBe("email");
    // Past the other three sort buttons to the row's link.
    for (let press = 0; press < 4; press += 1) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Zebulon Quux");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Zebulon Quux" }).waitFor();
    await context.close();
  });

  it("is usable at 390 px: search, sortable headers as buttons, rows as labelled cards", async () => {
    const { context, page } = await openConsole(harness, { width: 390 });
    await page.getByLabel("Search users").fill("zebra");
    await expect.poll(() => summaryOf(page)).toBe("Showing 1–1 of 1 user matching “zebra”");
    expect(await page.getByRole("button", { name: "Username" }).isVisible()).toBe(true);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, "users-390");
    await context.close();
  });
});
