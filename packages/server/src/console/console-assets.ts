import type { FastifyInstance } from "fastify";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { errors } from "../errors.js";

/**
 * Serves the built console (packages/console/dist) at /console. The files are few and small, so
 * they are read once at start. Hashed assets never change under their name: cached for a year.
 * index.html names the current hashes: never cached, and sent with a strict CSP — scripts and
 * styles only from this origin, no inline code, no framing.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

interface ConsoleFile {
  bytes: Buffer;
  contentType: string;
}

function readTree(root: string, prefix = ""): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  for (const name of readdirSync(join(root, prefix))) {
    const relative = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(root, relative)).isDirectory()) for (const [path, file] of readTree(root, relative)) files.set(path, file);
    else files.set(relative, { bytes: readFileSync(join(root, relative)), contentType: CONTENT_TYPES[extname(name)] ?? "application/octet-stream" });
  }
  return files;
}

const securityHeaders = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

export async function consoleAssets(app: FastifyInstance, options: { directory: string }): Promise<void> {
  const index = join(options.directory, "index.html");
  const files = existsSync(index) ? readTree(options.directory) : null;

  const sendIndex = (reply: import("fastify").FastifyReply) => {
    if (!files) {
      throw errors.console_not_built();
    }
    return reply
      .headers({ ...securityHeaders, "cache-control": "no-store", "content-security-policy": CONSOLE_CONTENT_SECURITY_POLICY })
      .type("text/html; charset=utf-8")
      .send(files.get("index.html")!.bytes);
  };

  app.get("/console", { schema: { hide: true } }, async (_request, reply) => reply.redirect("/console/", 302));
  app.get("/console/assets/*", { schema: { hide: true } }, async (request, reply) => {
    const path = `assets/${(request.params as { "*": string })["*"]}`;
    const file = files?.get(path);
    if (!file) throw errors.console_asset_not_found();
    return reply
      .headers({ ...securityHeaders, "cache-control": "public, max-age=31536000, immutable" })
      .type(file.contentType)
      .send(file.bytes);
  });
  // Every other path under /console is a page of the single-page app: the app's router reads it.
  app.get("/console/*", { schema: { hide: true } }, async (request, reply) => {
    const path = (request.params as { "*": string })["*"];
    const file = path && !path.includes("/") && path !== "index.html" ? files?.get(path) : undefined;
    if (file)
      return reply
        .headers({ ...securityHeaders, "cache-control": "public, max-age=3600" })
        .type(file.contentType)
        .send(file.bytes);
    return sendIndex(reply);
  });
}
