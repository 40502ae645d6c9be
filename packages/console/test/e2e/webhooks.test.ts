import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fastWebhookConfig, startReceiver, type Receiver } from "../../../server/test/helpers/webhook-receiver.js";
import { hasBrowser } from "../helpers/browser.js";
import { createUser, expectNoSeriousAxeViolations, openConsole, screenshot, startConsoleHarness, type ConsoleHarness } from "../helpers/console.js";

const endpointRow = (page: Page, url: string) => page.locator("section[aria-labelledby=endpoints-heading] tbody tr").filter({ hasText: url });

describe.skipIf(!hasBrowser)("the webhooks pages in Chromium", () => {
  let harness: ConsoleHarness;
  let receiver: Receiver;
  beforeAll(async () => {
    // The receiver is a real HTTP server on 127.0.0.1 (WACHT_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true).
    harness = await startConsoleHarness(fastWebhookConfig);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await harness?.close();
  });

  const endpointsOf = async (slug: string) => (await harness.call("GET", `/webhooks/apps/${slug}/endpoints?include_inactive=true`)).body.data;

  it("creates an app and an endpoint to a real receiver, shows its delivery, replays it, disables, enables and deletes it", async () => {
    const { context, page, pageErrors } = await openConsole(harness);
    await page.goto("/console/webhooks");
    await page.getByText("No webhook app yet").waitFor();
    await expectNoSeriousAxeViolations(page);

    await page.getByLabel("New app name").fill("Main app");
    await page.getByRole("button", { name: "Create app" }).click();
    await page.getByRole("heading", { name: "Main app Active" }).waitFor();
    const slug = new URL(page.url()).searchParams.get("app")!;
    const [app] = (await harness.call("GET", "/webhooks/apps")).body.data;
    expect(app).toMatchObject({ name: "Main app", app_slug: slug });

    // Refused by the API, shown on the form: a URL that is not one.
    await page.getByLabel("Endpoint URL").fill("not a url");
    await page.getByLabel("user.created").check();
    await page.getByRole("button", { name: "Create endpoint" }).click();
    await page.locator("section[aria-labelledby=endpoints-heading] [role=alert], section[aria-labelledby=endpoints-heading] .field-error").first().waitFor();
    expect(await endpointsOf(slug)).toEqual([]);

    await page.getByLabel("Endpoint URL").fill(receiver.url);
    await page.getByLabel("Description (optional)").fill("The test receiver");
    await page.getByRole("button", { name: "Create endpoint" }).click();
    await endpointRow(page, receiver.url).waitFor();
    const [endpoint] = await endpointsOf(slug);
    expect(endpoint).toMatchObject({ url: receiver.url, is_active: true, subscriptions: [{ event_name: "user.created", filter_rules: null }] });
    expect(await endpointRow(page, receiver.url).locator("td[data-label=Status]").textContent()).toBe("Active");
    await expectNoSeriousAxeViolations(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "webhooks");

    // A real event, delivered to the receiver, is listed with its status and attempts.
    const user = await createUser(harness.call, { first_name: "Hook", last_name: "Target", email_address: "hook.target@example.com" });
    const [first] = await receiver.waitFor((all) => all.length >= 1);
    expect(first!.json).toMatchObject({ type: "user.created", data: { id: user.id } });
    await endpointRow(page, receiver.url).getByRole("link", { name: "Deliveries" }).click();
    await page.getByRole("heading", { name: "Endpoint deliveries" }).waitFor();
    const row = page.locator("section[aria-labelledby=deliveries-heading] tbody tr").first();
    await expect.poll(() => row.locator("td[data-label=Status]").textContent()).toBe("Delivered");
    expect(await row.locator("td[data-label=Event]").textContent()).toBe("user.created");
    expect(await row.locator("td[data-label=HTTP]").textContent()).toBe("200");
    expect(await row.locator("td[data-label=Attempts]").textContent()).toMatch(/^1 of \d+$/);
    await row.getByRole("button", { name: `Attempts of ${first!.id}` }).click();
    await page.locator(".attempts li").filter({ hasText: "Attempt 1" }).filter({ hasText: "delivered (HTTP 200)" }).waitFor();
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, "webhook-deliveries");

    // Replay: the same delivery (same webhook-id) reaches the receiver again.
    await row.getByRole("button", { name: `Replay ${first!.id}` }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Delivery ${first!.id} queued again.` })
      .waitFor();
    const afterReplay = await receiver.waitFor((all) => all.length >= 2);
    expect(afterReplay[1]!.id).toBe(first!.id);
    expect(afterReplay[1]!.json).toEqual(first!.json);
    await expect.poll(() => row.locator("td[data-label=Attempts]").textContent(), { timeout: 10_000 }).toMatch(/^2 of \d+$/);

    // Disable and enable from the list; the API agrees each time.
    await page.getByRole("link", { name: "Webhooks" }).first().click();
    await endpointRow(page, receiver.url)
      .getByRole("button", { name: `Disable: ${receiver.url}` })
      .click();
    await expect.poll(() => endpointRow(page, receiver.url).locator("td[data-label=Status]").textContent()).toBe("Disabled");
    expect((await endpointsOf(slug))[0].is_active).toBe(false);
    await endpointRow(page, receiver.url)
      .getByRole("button", { name: `Enable: ${receiver.url}` })
      .click();
    await expect.poll(() => endpointRow(page, receiver.url).locator("td[data-label=Status]").textContent()).toBe("Active");
    expect((await endpointsOf(slug))[0].is_active).toBe(true);

    // Delete, behind a confirmation.
    await endpointRow(page, receiver.url)
      .getByRole("button", { name: `Delete: ${receiver.url}` })
      .click();
    await page.getByRole("dialog", { name: "Delete this endpoint?" }).getByRole("button", { name: "Delete endpoint" }).click();
    await page.getByText("No endpoints: add one below.").waitFor();
    expect(await endpointsOf(slug)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("rotates an app's signing secret behind a confirmation and shows the new one with a copy button", async () => {
    const created = (await harness.call("POST", "/webhooks/apps", { name: "Rotating app" })).body;
    const { context, page, pageErrors } = await openConsole(harness);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.goto(`/console/webhooks?app=${created.app_slug}`);
    await page.getByRole("heading", { name: "Rotating app Active" }).waitFor();
    expect(await page.getByText(created.signing_secret).count()).toBe(0);
    await page.getByRole("button", { name: "Show signing secret" }).click();
    await page.getByText(created.signing_secret).waitFor();

    await page.getByRole("button", { name: "Rotate secret…" }).click();
    await page.getByRole("dialog", { name: "Rotate the signing secret?" }).getByRole("button", { name: "Rotate secret" }).click();
    const shown = page.getByRole("dialog", { name: "Copy the new signing secret" });
    const secret = await shown.getByLabel("New signing secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(created.signing_secret);
    expect((await harness.call("GET", `/webhooks/apps/${created.app_slug}`)).body.signing_secret).toBe(secret);
    await shown.getByRole("button", { name: "Copy secret" }).click();
    await shown.getByRole("status").filter({ hasText: "Copied to the clipboard." }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await shown.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "hidden" });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("fits a 390 px screen: the endpoints and the deliveries", async () => {
    const created = (await harness.call("POST", "/webhooks/apps", { name: "Narrow app" })).body;
    const endpoint = (
      await harness.call("POST", `/webhooks/apps/${created.app_slug}/endpoints`, {
        url: `${receiver.url}?narrow=1`,
        subscriptions: [{ event_name: "user.updated" }],
      })
    ).body;
    const { context, page } = await openConsole(harness, { width: 390 });
    await page.goto(`/console/webhooks?app=${created.app_slug}`);
    await endpointRow(page, endpoint.url).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoSeriousAxeViolations(page);
    await page.goto(`/console/webhooks/${created.app_slug}/endpoints/${endpoint.id}`);
    await page.getByText("Nothing sent to this endpoint yet.").waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoSeriousAxeViolations(page);
    await context.close();
  });
});
