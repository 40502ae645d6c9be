import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { apiClient, type ApiCall } from "../../../server/test/helpers/api.js";
import type { Config } from "../../../server/src/config.js";
import { startServer, type TestServer } from "../../../server/test/helpers/start-server.js";
import { launchChromium } from "./browser.js";

export const CONSOLE_DIST = fileURLToPath(new URL("../../dist", import.meta.url));
const IMAGES_DIR = fileURLToPath(new URL("../../../../docs/images/", import.meta.url));
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface ConsoleHarness {
  server: TestServer;
  browser: Browser;
  /** The Backend API with the server's test key, for arranging data the test then looks at. */
  call: ApiCall;
  close(): Promise<void>;
}

/** One SQLite server serving the built console, and one Chromium, per test file. */
export async function startConsoleHarness(config: Partial<Config> = {}): Promise<ConsoleHarness> {
  const server = await startServer("sqlite", { config: { consoleDirectory: CONSOLE_DIST, ...config } });
  const browser = await launchChromium();
  return {
    server,
    browser,
    call: apiClient(server.baseUrl, server.apiKey),
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * A fresh browser context (own cookie jar) at 1280 px, failing the test on any page error or
 * CSP report, and signed in with the server's key unless told otherwise.
 */
export async function openConsole(
  harness: ConsoleHarness,
  options: { signIn?: boolean; width?: number; apiKey?: string } = {},
): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await harness.browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 }, baseURL: harness.server.baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    // A 4xx the console shows on purpose is logged by Chromium as a failed resource; CSP violations and crashes are not fine.
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) pageErrors.push(message.text());
  });
  if (options.signIn !== false) {
    // The sign-in form has its own tests (sign-in.test.ts); elsewhere the session is opened over HTTP, which is quicker.
    await context.addCookies([await consoleSessionCookie(harness.server.baseUrl, options.apiKey ?? harness.server.apiKey)]);
    await page.goto("/console/users");
    await page.getByRole("navigation", { name: "Main" }).waitFor();
  }
  return { context, page, pageErrors };
}

/** A new console session for `apiKey`, as the cookie POST /console/api/session sets. */
async function consoleSessionCookie(baseUrl: string, apiKey: string) {
  const response = await fetch(`${baseUrl}/console/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ api_key: apiKey }),
  });
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith("wacht_console="));
  if (response.status !== 200 || !line) throw new Error(`POST /console/api/session answered ${response.status} without a cookie`);
  const value = line.slice("wacht_console=".length).split(";")[0]!;
  return { name: "wacht_console", value, url: baseUrl, httpOnly: true, sameSite: "Strict" as const };
}

export async function signInWithKey(page: Page, apiKey: string): Promise<void> {
  await page.goto("/console/");
  await page.getByLabel("API key").fill(apiKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

/** axe-core in the page (evaluated, as the CSP refuses injected script tags): the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: object,
          ): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => JSON.stringify(node.target)),
    }));
  });
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.targets.join(", ")}`);
}

export async function expectNoSeriousAxeViolations(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

/** With WACHT_SCREENSHOTS=1, saves the page as docs/images/console-<name>.png (for the README). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.WACHT_SCREENSHOTS !== "1") return;
  await page.screenshot({ path: `${IMAGES_DIR}console-${name}.png`, fullPage: false });
}

/** Creates a user over the API, failing the test unless the server answers 200. */
export async function createUser(call: ApiCall, fields: Record<string, unknown>): Promise<any> {
  const response = await call("POST", "/users", { first_name: "Test", last_name: "User", skip_password_check: true, ...fields });
  if (response.status !== 200) throw new Error(`createUser answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}
