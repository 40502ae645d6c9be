/**
 * Browser and device names for the session list, read from a User-Agent header. A few ordered
 * rules cover the browsers people use; anything else keeps its raw user agent and null names.
 * Order matters: Edge and Opera also say "Chrome", and Chrome also says "Safari".
 */
const BROWSERS: Array<[name: string, pattern: RegExp]> = [
  ["Edge", /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ["Opera", /\b(?:OPR|Opera)\/(\d+)/],
  ["Samsung Internet", /\bSamsungBrowser\/(\d+)/],
  ["Firefox", /\b(?:Firefox|FxiOS)\/(\d+)/],
  ["Chrome", /\b(?:Chrome|CriOS)\/(\d+)/],
  ["Safari", /\bVersion\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//],
  ["curl", /^curl\/(\d+)/],
  ["Node.js", /^node(?:-fetch)?(?:\/(\d+))?/],
];

const DEVICES: Array<[name: string, pattern: RegExp]> = [
  ["iPad", /\biPad\b/],
  ["iPhone", /\biPhone\b/],
  ["Android", /\bAndroid\b/],
  ["Windows", /\bWindows\b/],
  ["ChromeOS", /\bCrOS\b/],
  ["Mac", /\bMacintosh\b/],
  ["Linux", /\bLinux\b/],
];

export interface UserAgentNames {
  browser: string | null;
  device: string | null;
}

export function describeUserAgent(userAgent: string | null): UserAgentNames {
  if (!userAgent) return { browser: null, device: null };
  let browser: string | null = null;
  for (const [name, pattern] of BROWSERS) {
    const match = pattern.exec(userAgent);
    if (match) {
      browser = match[1] ? `${name} ${match[1]}` : name;
      break;
    }
  }
  const device = DEVICES.find(([, pattern]) => pattern.test(userAgent))?.[0] ?? null;
  return { browser, device };
}
