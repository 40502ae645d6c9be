import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/**
 * Debian's Chromium, driven by playwright-core (no browser download). `npm test` on a machine
 * without it skips the browser suite and says so loudly; .ci/run installs it and sets
 * WACHT_REQUIRE_BROWSER=1, which makes a missing browser a failure.
 */
export const CHROMIUM_PATH = process.env.WACHT_CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path)) ?? null;

if (!CHROMIUM_PATH) {
  if (process.env.WACHT_REQUIRE_BROWSER === "1")
    throw new Error("WACHT_REQUIRE_BROWSER=1 but no Chromium was found (apt-get install chromium, or set WACHT_CHROMIUM_PATH).");
  console.log("\n[wacht] No Chromium found (/usr/bin/chromium): the console's browser tests are SKIPPED. Install it with 'apt-get install chromium'.\n");
}

export const hasBrowser = CHROMIUM_PATH !== null;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH!,
    headless: true,
    // Root in CI needs --no-sandbox; the rest keeps Chromium from calling out to the network.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
