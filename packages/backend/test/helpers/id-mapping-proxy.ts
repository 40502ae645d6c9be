import { startLocalServer, type LocalServer } from "./local-server.js";

/**
 * A pass-through HTTP proxy to the real server that swaps path segments, so the
 * reference page's literal ids ("usr_abc123") reach the records the test made.
 * Nothing else is touched: bodies, statuses and headers pass as they are.
 */
export async function startIdMappingProxy(targetBaseUrl: string, ids: Map<string, string>): Promise<LocalServer> {
  return startLocalServer((request, response) => {
    const [pathname, query] = splitOnce(request.url, "?");
    const mapped = pathname
      .split("/")
      .map((segment) => ids.get(segment) ?? segment)
      .join("/");
    const headers = Object.entries(request.headers).filter(([name]) => name !== "host" && name !== "content-length" && name !== "connection");
    fetch(targetBaseUrl + mapped + (query === undefined ? "" : `?${query}`), {
      method: request.method,
      headers: headers.map(([name, value]): [string, string] => [name, String(value)]),
      body: request.method === "GET" || request.method === "DELETE" || request.body === "" ? undefined : request.body,
    })
      .then(async (answer) => {
        const body = await answer.text();
        response.writeHead(answer.status, {
          "content-type": answer.headers.get("content-type") ?? "text/plain",
          "x-request-id": answer.headers.get("x-request-id") ?? "",
        });
        response.end(body);
      })
      .catch((error: unknown) => {
        response.writeHead(502, { "content-type": "text/plain" });
        response.end(`proxy: ${String(error)}`);
      });
  });
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index === -1 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}
