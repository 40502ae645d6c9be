/** Calls to the frontend API (no API key), as a browser or an app's backend makes them. */

export interface FrontendResponse {
  status: number;
  body: any;
  headers: Headers;
}

async function send(url: string, init: RequestInit): Promise<FrontendResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, headers: response.headers };
}

/** How a request presents its session: the browser's cookie or a bearer credential. */
export type SessionPresentation = { cookie: string } | { bearer: string } | Record<string, never>;

function sessionHeaders(presentation: SessionPresentation): Record<string, string> {
  if ("cookie" in presentation) return { cookie: `__session=${presentation.cookie}` };
  if ("bearer" in presentation) return { authorization: `Bearer ${presentation.bearer}` };
  return {};
}

export function frontendClient(baseUrl: string) {
  return {
    signIn: (identifier: string, password: string, headers: Record<string, string> = {}) =>
      send(`${baseUrl}/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ identifier, password }),
      }),
    sessionToken: (presentation: SessionPresentation) => send(`${baseUrl}/session/token`, { headers: sessionHeaders(presentation) }),
    signOut: (presentation: SessionPresentation) => send(`${baseUrl}/sign-out`, { method: "POST", headers: sessionHeaders(presentation) }),
    jwks: () => send(`${baseUrl}/.well-known/jwks.json`, {}),
  };
}

export type FrontendClient = ReturnType<typeof frontendClient>;

/** The publishable key of a frontend API URL, built by hand as an app owner would read it off the CLI. */
export const publishableKeyFor = (frontendApiUrl: string) => `pk_test_${Buffer.from(frontendApiUrl).toString("base64")}`;

/** The value of the `__session` cookie a response sets ("" when it clears it), or null when it sets none. */
export function sessionCookieOf(headers: Headers): string | null {
  const cookie = headers.getSetCookie().find((line) => line.startsWith("__session="));
  return cookie === undefined ? null : cookie.slice("__session=".length).split(";")[0]!;
}

/** The decoded header and payload of a JWT (no verification). */
export function decodeJwt(token: string): { header: any; payload: any } {
  const [header, payload] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header!, "base64url").toString("utf8")),
    payload: JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")),
  };
}
