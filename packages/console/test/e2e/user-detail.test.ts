import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPng, GOOD_PASSWORD } from "../../../server/test/helpers/fixtures.js";
import { frontendClient } from "../../../server/test/helpers/frontend.js";
import { hasBrowser } from "../helpers/browser.js";
import { createUser, expectNoSeriousAxeViolations, openConsole, screenshot, startConsoleHarness, type ConsoleHarness } from "../helpers/console.js";

const CHROME_ON_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

describe.skipIf(!hasBrowser)("the user detail page in Chromium", () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    // Three wrong passwords (from any addresses) lock a user, so a test can see the lock and lift it.
    harness = await startConsoleHarness({ signInMaxFailures: 3, signInAccountMaxFailures: 3 });
  });
  afterAll(async () => harness?.close());

  const details = async (userId: string) => (await harness.call("GET", `/users/${userId}/details`)).body;

  it("edits names, uploads and removes an image, and saves metadata only when it is valid JSON", async () => {
    const user = await createUser(harness.call, {
      first_name: "Mary",
      last_name: "Jackson",
      email_address: "mary@example.com",
      public_metadata: { plan: "free" },
    });
    const { context, page, pageErrors } = await openConsole(harness);
    await page.goto(`/console/users/${user.id}`);
    await page.getByRole("heading", { name: "Mary Jackson" }).waitFor();
    await expectNoSeriousAxeViolations(page);

    await page.getByLabel("First name").fill("Mary W.");
    await page.getByLabel("Username").fill("mjackson");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.getByRole("heading", { name: "Mary W. Jackson" }).waitFor();
    expect(await page.getByRole("status").filter({ hasText: "Profile saved." }).count()).toBe(1);
    expect([(await details(user.id)).first_name, (await details(user.id)).username]).toEqual(["Mary W.", "mjackson"]);

    await page.getByLabel("Profile image").setInputFiles({ name: "face.png", mimeType: "image/png", buffer: buildPng(4, 4) });
    await page.getByRole("button", { name: "Upload image" }).click();
    await page.locator("img.avatar").waitFor();
    expect((await details(user.id)).profile_picture_url).toMatch(/\/profile-images\//);
    await page.getByRole("button", { name: "Remove image" }).click();
    await page.locator(".avatar-empty").waitFor();
    expect((await details(user.id)).profile_picture_url).toBeNull();

    const publicEditor = page.getByLabel("Public metadata");
    expect(JSON.parse(await publicEditor.inputValue())).toEqual({ plan: "free" });
    await publicEditor.fill('["not", "an object"]');
    await page.getByRole("button", { name: "Save metadata" }).click();
    await expect.poll(() => page.locator(".field-error").allTextContents()).toEqual(["Metadata must be a JSON object ({…}), not an array."]);
    expect((await details(user.id)).public_metadata).toEqual({ plan: "free" });

    await publicEditor.fill('{"plan": "pro", "seats": 5}');
    await page.getByLabel("Private metadata").fill('{"stripe": "cus_123"}');
    await page.getByRole("button", { name: "Save metadata" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Metadata saved." }).count()).toBe(1);
    const saved = await details(user.id);
    expect([saved.public_metadata, saved.private_metadata]).toEqual([{ plan: "pro", seats: 5 }, { stripe: "cus_123" }]);
    await screenshot(page, "user-detail");
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("adds an email and makes it primary, and shows the API's rule when an unverified one cannot be", async () => {
    const user = await createUser(harness.call, { first_name: "Dorothy", last_name: "Vaughan", email_address: "dorothy@example.com" });
    await createUser(harness.call, { first_name: "Someone", last_name: "Else", email_address: "taken@example.com" });
    const { context, page } = await openConsole(harness);
    await page.goto(`/console/users/${user.id}`);
    await page.getByRole("heading", { name: "Dorothy Vaughan" }).waitFor();

    await page.getByLabel("New email address").fill("dvaughan@nasa.example");
    await page.getByRole("button", { name: "Add email" }).click();
    await page.getByRole("cell", { name: "dvaughan@nasa.example", exact: true }).waitFor();
    await page.getByRole("button", { name: "Make primary: dvaughan@nasa.example" }).click();
    await expect.poll(async () => (await details(user.id)).primary_email_address).toBe("dvaughan@nasa.example");
    await expect.poll(() => page.getByRole("status").filter({ hasText: "dvaughan@nasa.example is now primary." }).count()).toBe(1);

    // A taken address is refused on the field, in the API's words.
    await page.getByLabel("New email address").fill("taken@example.com");
    await page.getByRole("button", { name: "Add email" }).click();
    await expect.poll(() => page.locator(".field-error").allTextContents()).toEqual(["That email address is already in use by another user."]);

    await page.getByLabel("New email address").fill("unverified@nasa.example");
    await page.getByLabel("Verified", { exact: true }).first().uncheck();
    await page.getByRole("button", { name: "Add email" }).click();
    await page.getByRole("cell", { name: "unverified@nasa.example", exact: true }).waitFor();
    await page.getByRole("button", { name: "Make primary: unverified@nasa.example" }).click();
    await expect.poll(() => page.getByRole("alert").allTextContents()).toEqual(["A primary email address must be verified."]);
    await page.getByRole("button", { name: "Mark verified: unverified@nasa.example" }).click();
    await expect
      .poll(async () => (await details(user.id)).email_addresses.find((email: { email: string }) => email.email === "unverified@nasa.example")?.verified)
      .toBe(true);

    await page.getByRole("button", { name: "Delete: dorothy@example.com" }).click();
    await expect
      .poll(async () => (await details(user.id)).email_addresses.map((email: { email: string }) => email.email).sort())
      .toEqual(["dvaughan@nasa.example", "unverified@nasa.example"]);
    await context.close();
  });

  it("lists sessions from real sign-ins and revokes one, then all", async () => {
    const user = await createUser(harness.call, {
      first_name: "Annie",
      last_name: "Easley",
      email_address: "annie@example.com",
      password: GOOD_PASSWORD,
      skip_password_check: false,
    });
    const frontend = frontendClient(harness.server.baseUrl);
    const onMac = await frontend.signIn("annie@example.com", GOOD_PASSWORD, { "user-agent": CHROME_ON_MAC });
    const onLinux = await frontend.signIn("annie@example.com", GOOD_PASSWORD, { "user-agent": FIREFOX_ON_LINUX });
    const third = await frontend.signIn("annie@example.com", GOOD_PASSWORD, { "user-agent": FIREFOX_ON_LINUX });
    expect([onMac.status, onLinux.status, third.status]).toEqual([200, 200, 200]);

    const { context, page } = await openConsole(harness);
    await page.goto(`/console/users/${user.id}`);
    const rows = page.locator("section[aria-labelledby=section-sessions] tbody tr");
    await expect.poll(() => rows.count()).toBe(3);
    const macRow = rows.filter({ hasText: "Chrome" });
    expect(await macRow.locator("td").nth(2).textContent()).toBe("127.0.0.1");
    await expectNoSeriousAxeViolations(page);
    await macRow.getByRole("button", { name: /^Revoke/ }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect((await frontend.sessionToken({ bearer: onMac.body.token })).status).toBe(401);
    expect((await frontend.sessionToken({ bearer: onLinux.body.token })).status).toBe(200);

    await page.getByRole("button", { name: "Revoke all sessions" }).click();
    await expect.poll(() => page.getByText("No active sessions.").count()).toBe(1);
    expect((await frontend.sessionToken({ bearer: onLinux.body.token })).status).toBe(401);
    await context.close();
  });

  it("adds a phone, sets and removes a password, unlocks a locked user and unlinks a social connection", async () => {
    const user = await createUser(harness.call, { first_name: "Katherine", last_name: "Goble", email_address: "kgoble@example.com" });
    const linked = await harness.call("POST", `/users/${user.id}/social-connections`, {
      provider: "github_oauth",
      provider_user_id: "4242",
      email_address: "kgoble@example.com",
    });
    expect(linked.status).toBe(200);
    const { context, page } = await openConsole(harness);
    await page.goto(`/console/users/${user.id}`);
    await page.getByRole("heading", { name: "Katherine Goble" }).waitFor();

    await page.getByLabel("New phone number").fill("12345");
    await page.getByRole("button", { name: "Add phone" }).click();
    await expect.poll(() => page.locator(".field-error").count()).toBe(1);
    expect(await page.getByLabel("New phone number").getAttribute("aria-invalid")).toBe("true");
    await page.getByLabel("New phone number").fill("+14155552671");
    await page.getByRole("button", { name: "Add phone" }).click();
    await page.getByRole("cell", { name: "+14155552671", exact: true }).waitFor();
    expect((await details(user.id)).primary_phone_number).toBe("+14155552671");

    // The password policy speaks through the field; a good password is set, then removed.
    await page.getByLabel("New password").fill("short");
    await page.getByRole("button", { name: "Set password" }).click();
    await expect.poll(() => page.locator("section[aria-labelledby=section-password] .field-error").count()).toBe(1);
    await page.getByLabel("New password").fill(GOOD_PASSWORD);
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByRole("button", { name: "Remove password" }).waitFor();
    expect((await details(user.id)).has_password).toBe(true);

    // Three wrong passwords at the real sign-in lock the user; the console shows it and lifts it.
    const frontend = frontendClient(harness.server.baseUrl);
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await frontend.signIn("kgoble@example.com", "wrong password")).status).toBe(401);
    expect((await details(user.id)).locked).toBe(true);
    await page.reload();
    await page.locator(".badge-warn", { hasText: "Locked" }).waitFor();
    await page.getByRole("button", { name: "Unlock user" }).click();
    await page.getByRole("button", { name: "Unlock user" }).waitFor({ state: "detached" });
    expect((await details(user.id)).locked).toBe(false);
    expect((await frontend.signIn("kgoble@example.com", GOOD_PASSWORD)).status).toBe(200);

    await page.getByRole("button", { name: "Remove password" }).click();
    await page.getByRole("button", { name: "Remove password" }).waitFor({ state: "detached" });
    expect((await details(user.id)).has_password).toBe(false);

    await page.getByRole("button", { name: "Unlink github_oauth" }).click();
    await page.getByText("No linked accounts.").waitFor();
    expect((await details(user.id)).social_connections).toEqual([]);
    await context.close();
  });

  it("disables behind a dialog that Escape closes, enables, and deletes behind a typed confirmation", async () => {
    const user = await createUser(harness.call, { first_name: "Christine", last_name: "Darden", email_address: "christine@example.com" });
    const { context, page } = await openConsole(harness);
    await page.goto(`/console/users/${user.id}`);
    await page.getByRole("heading", { name: "Christine Darden" }).waitFor();

    await page.getByRole("button", { name: "Disable user" }).click();
    const dialog = page.getByRole("dialog", { name: "Disable this user?" });
    await dialog.waitFor();
    await expectNoSeriousAxeViolations(page);
    // Focus is inside the modal, and Tab keeps it there.
    for (const key of ["Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]) {
      await page.keyboard.press(key);
      expect(await page.evaluate(() => Boolean(document.activeElement?.closest("dialog")))).toBe(true);
    }
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect((await details(user.id)).disabled).toBe(false);
    // Focus went back to the button that opened it.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Disable user");

    await page.keyboard.press("Enter");
    await dialog.getByRole("button", { name: "Disable" }).click();
    await page.locator(".badge-danger", { hasText: "Disabled" }).waitFor();
    expect((await details(user.id)).disabled).toBe(true);
    await page.getByRole("button", { name: "Enable user" }).click();
    await page.getByRole("button", { name: "Disable user" }).waitFor();
    expect((await details(user.id)).disabled).toBe(false);

    await page.getByRole("button", { name: "Delete user…" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete this user?" });
    const deleteButton = confirm.getByRole("button", { name: "Delete for good" });
    expect(await deleteButton.isDisabled()).toBe(true);
    await confirm.getByLabel("Confirmation").fill("christine@example");
    expect(await deleteButton.isDisabled()).toBe(true);
    await confirm.getByLabel("Confirmation").fill("christine@example.com");
    await deleteButton.click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    expect(await page.getByRole("status").first().textContent()).toBe("Christine Darden was deleted.");
    expect((await harness.call("GET", `/users/${user.id}/details`)).status).toBe(404);
    await context.close();
  });

  it("fits a 390 px screen with no sideways scrolling", async () => {
    const user = await createUser(harness.call, {
      first_name: "Narrow",
      last_name: "Screen",
      email_address: "a.rather.long.address.for.a.phone@example.com",
      phone_number: "+14155552699",
    });
    const { context, page } = await openConsole(harness, { width: 390 });
    await page.goto(`/console/users/${user.id}`);
    await page.getByRole("heading", { name: "Narrow Screen" }).waitFor();
    await page.locator("section[aria-labelledby=section-sessions] .empty").waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, "user-detail-390");
    await page.goto("/console/deployment");
    await page.locator("section[aria-labelledby=keys-heading] tbody tr").first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await context.close();
  });

  it("shows the API's message for a user that does not exist, not a blank page", async () => {
    const { context, page } = await openConsole(harness);
    await page.goto("/console/users/usr_doesnotexist");
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/\S/);
    const expected = (await harness.call("GET", "/users/usr_doesnotexist/details")).body.message;
    expect(await page.getByRole("alert").textContent()).toBe(expected);
    await context.close();
  });
});
