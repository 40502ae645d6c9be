/**
 * A browser, as far as a redirect-based sign-in needs one: a cookie jar per origin (name → value,
 * honouring Max-Age=0 and past Expires; paths and SameSite are not modelled) and manual redirects,
 * so a test can stop at any hop, look at it, and go on.
 */
export interface Hop {
  url: string;
  status: number;
  location: string | null;
  body: string;
  headers: Headers;
}

export class TestBrowser {
  readonly #jar = new Map<string, Map<string, string>>();
  readonly history: Hop[] = [];

  cookiesFor(url: string): Map<string, string> {
    const origin = new URL(url).origin;
    let cookies = this.#jar.get(origin);
    if (!cookies) this.#jar.set(origin, (cookies = new Map()));
    return cookies;
  }

  cookie(url: string, name: string): string | undefined {
    return this.cookiesFor(url).get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    this.cookiesFor(url).set(name, value);
  }

  /** One request, no redirect followed; cookies sent and stored. */
  async request(url: string, init: RequestInit = {}): Promise<Hop> {
    const cookies = this.cookiesFor(url);
    const headers = new Headers(init.headers);
    if (cookies.size) headers.set("cookie", [...cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) this.#store(cookies, line);
    const location = response.headers.get("location");
    const hop = {
      url,
      status: response.status,
      location: location === null ? null : new URL(location, url).href,
      body: await response.text(),
      headers: response.headers,
    };
    this.history.push(hop);
    return hop;
  }

  /**
   * Follows redirects from `url` until an answer that is not a redirect, or until the next URL
   * satisfies `stopAt` (returned unvisited, so a test can tamper with it). At most 20 hops.
   */
  async navigate(url: string, stopAt: (next: URL) => boolean = () => false): Promise<{ hop: Hop; stoppedAt: URL | null }> {
    let hop = await this.request(url);
    for (let hops = 0; hops < 20 && hop.location && hop.status >= 300 && hop.status < 400; hops++) {
      const next = new URL(hop.location);
      if (stopAt(next)) return { hop, stoppedAt: next };
      hop = await this.request(next.href);
    }
    return { hop, stoppedAt: null };
  }

  #store(cookies: Map<string, string>, line: string): void {
    const [pair, ...attributes] = line.split(";");
    const separator = pair!.indexOf("=");
    const name = pair!.slice(0, separator).trim();
    const value = pair!.slice(separator + 1).trim();
    const isExpired = attributes.some((attribute) => {
      const [key, raw] = attribute.split("=").map((part) => part?.trim());
      if (key?.toLowerCase() === "max-age") return Number(raw) <= 0;
      if (key?.toLowerCase() === "expires") return Date.parse(raw ?? "") <= Date.now();
      return false;
    });
    if (isExpired || value === "") cookies.delete(name);
    else cookies.set(name, value);
  }
}
