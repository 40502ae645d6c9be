import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleLink } from "../../../server/src/console/console-links.service.js";
import { hasBrowser } from "../helpers/browser.js";
import { expectNoSeriousAxeViolations, openConsole, screenshot, startConsoleHarness, type ConsoleHarness } from "../helpers/console.js";

describe.skipIf(!hasBrowser)("console sign-in in Chromium", () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    harness = await startConsoleHarness();
  });
  afterAll(async () => harness?.close());

  it("refuses a wrong key with the API's message, signs in with a right one, and keeps the key out of browser storage", async () => {
    const { context, page, pageErrors } = await openConsole(harness, { signIn: false });
    await page.goto("/console/");
    await expect.poll(() => page.getByRole("heading", { name: "Wacht console" }).count()).toBe(1);
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, "sign-in");

    await page.getByLabel("API key").fill("wk_not_a_real_key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("The API key is not valid or has been revoked.");

    await page.getByLabel("API key").fill(harness.server.apiKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    expect(page.url()).toBe(`${harness.server.baseUrl}/console/users`);
    await expect.poll(() => page.locator(".deployment-name").textContent()).toBe("default");

    // The key lives nowhere in the page: not in storage, not in the DOM.
    const stored = await page.evaluate(() =>
      JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie, html: document.documentElement.outerHTML }),
    );
    expect(stored).not.toContain(harness.server.apiKey);

    // The session cookie: HttpOnly (invisible to document.cookie above), SameSite=Strict, for this host only.
    const cookies = await context.cookies();
    expect(cookies.map((cookie) => ({ name: cookie.name, httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, path: cookie.path }))).toEqual([
      { name: "wacht_console", httpOnly: true, sameSite: "Strict", path: "/" },
    ]);
    expect(stored).not.toContain(cookies[0]!.value);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("refuses a write without the CSRF header or from another origin, and accepts the console's own", async () => {
    const { context, page } = await openConsole(harness);
    const outcome = await page.evaluate(async () => {
      const session = await (await fetch("/console/api/session")).json();
      const bare = await fetch("/api-keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "forged" }) });
      const wrong = await fetch("/api-keys", {
        method: "POST",
        headers: { "content-type": "application/json", "x-wacht-csrf": "wrong" },
        body: JSON.stringify({ name: "forged" }),
      });
      const right = await fetch("/api-keys", {
        method: "POST",
        headers: { "content-type": "application/json", "x-wacht-csrf": session.csrf_token },
        body: JSON.stringify({ name: "made by the console" }),
      });
      return { bare: [bare.status, (await bare.json()).code], wrong: [wrong.status, (await wrong.json()).code], right: right.status };
    });
    expect(outcome).toEqual({ bare: [403, "csrf_failed"], wrong: [403, "csrf_failed"], right: 200 });

    // The same cookie and token sent by a page of another origin: refused by Origin.
    const cookie = (await context.cookies())[0]!;
    const session = await (await fetch(`${harness.server.baseUrl}/console/api/session`, { headers: { cookie: `${cookie.name}=${cookie.value}` } })).json();
    const forged = await fetch(`${harness.server.baseUrl}/api-keys`, {
      method: "POST",
      headers: {
        cookie: `${cookie.name}=${cookie.value}`,
        "x-wacht-csrf": session.csrf_token,
        origin: "https://evil.example",
        "content-type": "application/json",
      },
      body: JSON.stringify({ name: "forged" }),
    });
    expect([forged.status, (await forged.json()).code]).toEqual([403, "csrf_failed"]);
    const names = (await harness.call("GET", "/api-keys")).body.data.map((key: { name: string }) => key.name);
    expect(names).toContain("made by the console");
    expect(names).not.toContain("forged");
    await context.close();
  });

  it("signs in with a one-time link, which then no longer works", async () => {
    const link = await createConsoleLink(harness.server.db, harness.server.deploymentId, harness.server.baseUrl);
    const { context, page } = await openConsole(harness, { signIn: false });
    await page.goto(link.url);
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await expect.poll(() => page.locator(".key-name").textContent()).toMatch(/^key console link /);
    await context.close();

    const second = await openConsole(harness, { signIn: false });
    await second.page.goto(link.url);
    await expect.poll(() => second.page.getByRole("status").textContent()).toMatch(/^That sign-in link is not valid/);
    expect(new URL(second.page.url()).search).toBe("");
    await second.context.close();
  });

  it("signs out at once, and sends an expired session back to sign-in with a message", async () => {
    const { context, page } = await openConsole(harness);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("You signed out.");
    expect(await context.cookies()).toEqual([]);
    await page.goto("/console/users");
    await page.getByLabel("API key").waitFor();

    // A session ended on the server (here: its key revoked behind the console's back) shows as signed out at the next request.
    const key = (await harness.call("POST", "/api-keys", { name: "short-lived" })).body;
    const other = await openConsole(harness, { apiKey: key.secret });
    await other.page.getByRole("link", { name: "Users" }).waitFor();
    expect((await harness.call("POST", `/api-keys/${key.api_key.id}/revoke`)).status).toBe(200);
    await other.page.getByRole("link", { name: "Deployment & API keys" }).click();
    await expect.poll(() => other.page.getByRole("status").first().textContent()).toMatch(/^You were signed out: .+ Sign in again\.$/);
    await other.page.getByLabel("API key").waitFor();
    await other.context.close();
    await context.close();
  });
});
