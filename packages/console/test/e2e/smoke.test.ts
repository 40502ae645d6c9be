import { fileURLToPath } from "node:url";
import type { Browser, ConsoleMessage } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../../server/test/helpers/start-server.js";
import { hasBrowser, launchChromium } from "../helpers/browser.js";

const CONSOLE_DIST = fileURLToPath(new URL("../../dist", import.meta.url));

describe.skipIf(!hasBrowser)("the console in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer("sqlite", { config: { consoleDirectory: CONSOLE_DIST } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("loads under its CSP without a console error", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    // Signed out, the console's first question (GET /console/api/session) answers 401, which Chromium logs; nothing else may.
    const isSignedOutProbe = (message: ConsoleMessage) =>
      /^Failed to load resource: .*401/.test(message.text()) && message.location().url.endsWith("/console/api/session");
    page.on("console", (message) => message.type() === "error" && !isSignedOutProbe(message) && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${server.baseUrl}/console/`);
    await expect.poll(() => page.title()).toBe("Wacht console");
    expect(errors, errors.join("\n")).toEqual([]);
  });
});
