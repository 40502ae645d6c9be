/**
 * Whether a real server serves a route: anything but a 404 `route_not_found` counts (a 404
 * `user_not_found` for the probe's made-up id means the route exists). Tests of routes other
 * branches are still building use it as `describe.skipIf(!(await serverHas(…)))`, so they run by
 * themselves once the route lands on main.
 */
export async function serverHas(server: { baseUrl: string; apiKey: string }, method: string, path: string): Promise<boolean> {
  // No body: a hardened server refuses bodies on routes it does not know (413) before saying 404.
  const response = await fetch(server.baseUrl + path, { method, headers: { authorization: `Bearer ${server.apiKey}` } });
  const body = (await response.json().catch(() => null)) as { code?: string } | null;
  return !(response.status === 404 && body?.code === "route_not_found");
}
