import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecondDeployment } from "../../../server/test/helpers/fixtures.js";
import { hasBrowser } from "../helpers/browser.js";
import { expectNoSeriousAxeViolations, openConsole, screenshot, startConsoleHarness, type ConsoleHarness } from "../helpers/console.js";

describe.skipIf(!hasBrowser)("the deployment and API keys page in Chromium", () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    harness = await startConsoleHarness();
  });
  afterAll(async () => harness?.close());

  it("shows the deployment, creates a key shown once with a copy button, and revokes it", async () => {
    const { context, page, pageErrors } = await openConsole(harness);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: harness.server.baseUrl });
    await page.getByRole("link", { name: "Deployment & API keys" }).click();
    const deployment = (await harness.call("GET", "/deployment")).body;
    await page.getByText(deployment.id, { exact: true }).waitFor();
    if (deployment.publishable_key) expect(await page.getByText(deployment.publishable_key, { exact: true }).count()).toBe(1);
    await expect.poll(() => page.locator("section[aria-labelledby=keys-heading] tbody tr").count()).toBe(1);
    await expectNoSeriousAxeViolations(page);

    await page.getByLabel("New key name").fill("billing service");
    await page.getByRole("button", { name: "Create key" }).click();
    const dialog = page.getByRole("dialog", { name: "Copy the new API key now" });
    await dialog.waitFor();
    const secret = await dialog.getByLabel("New API key").inputValue();
    await screenshot(page, "api-key-created");
    await expectNoSeriousAxeViolations(page);
    await dialog.getByRole("button", { name: "Copy key" }).click();
    await expect.poll(() => dialog.getByRole("status").textContent()).toBe("Copied to the clipboard.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    // The new key works as a Backend API key.
    expect((await fetch(`${harness.server.baseUrl}/users`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "hidden" });
    // Shown once: nowhere on the page after the dialog closed.
    expect(await page.content()).not.toContain(secret);

    const row = page.locator("tbody tr", { hasText: "billing service" });
    await row.getByRole("button", { name: "Revoke key billing service" }).click();
    await page.getByRole("dialog", { name: "Revoke this API key?" }).getByRole("button", { name: "Revoke key" }).click();
    await row.locator(".badge-danger").waitFor();
    expect((await fetch(`${harness.server.baseUrl}/users`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    await screenshot(page, "deployment");
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("switches deployment by signing out and in with the other deployment's key", async () => {
    const second = await createSecondDeployment(harness.server, "staging");
    const secondKey = (await second.call("POST", "/api-keys", { name: "staging console" })).body.secret;
    const { context, page } = await openConsole(harness);
    await page.goto("/console/deployment");
    await page.getByRole("button", { name: "Switch deployment…" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toBe("Signed out of default. To manage another deployment, sign in with one of its API keys.");
    await page.getByLabel("API key").fill(secondKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator(".deployment-name").textContent()).toBe("staging");
    await page.getByRole("link", { name: "Deployment & API keys" }).click();
    await page.getByText(second.deploymentId, { exact: true }).waitFor();
    await context.close();
  });

  it("keeps Create key disabled for a blank name", async () => {
    const { context, page } = await openConsole(harness);
    await page.goto("/console/deployment");
    await page.getByLabel("New key name").fill("   ");
    expect(await page.getByRole("button", { name: "Create key" }).isDisabled()).toBe(true);
    await context.close();
  });

  it("signs itself out when it revokes the key it signed in with", async () => {
    const key = (await harness.call("POST", "/api-keys", { name: "console operator" })).body;
    const { context, page } = await openConsole(harness, { apiKey: key.secret });
    await page.goto("/console/deployment");
    const row = page.locator("tbody tr", { hasText: "console operator" });
    expect(await row.locator(".badge-ok").textContent()).toBe("This console");
    await row.getByRole("button", { name: "Revoke key console operator" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke this API key?" });
    expect(await dialog.textContent()).toContain("you will be signed out");
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await page.getByLabel("API key").waitFor();
    expect(await page.getByRole("status").textContent()).toBe("You revoked the API key this console was signed in with, which ended the session.");
    // The cookie no longer opens anything.
    const cookie = (await context.cookies())[0]!;
    expect((await fetch(`${harness.server.baseUrl}/console/api/session`, { headers: { cookie: `${cookie.name}=${cookie.value}` } })).status).toBe(401);
    await context.close();
  });
});
