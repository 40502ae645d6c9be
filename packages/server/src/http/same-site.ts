import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { errors } from "../errors.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The host a site is named by, approximately: the host without its first label when it has three or more (auth.example.com → example.com). */
function siteOf(hostname: string): string {
  const labels = hostname.split(".");
  const isAddress = /^[\d.]+$/.test(hostname) || hostname.includes(":");
  return !isAddress && labels.length >= 3 ? labels.slice(1).join(".") : hostname;
}

function isSameSite(origin: string, frontendUrl: string): boolean {
  let page: URL;
  let frontend: URL;
  try {
    page = new URL(origin);
    frontend = new URL(frontendUrl);
  } catch {
    return false;
  }
  if (page.protocol !== "http:" && page.protocol !== "https:") return false;
  const site = siteOf(frontend.hostname);
  return page.hostname === frontend.hostname || page.hostname === site || page.hostname.endsWith(`.${site}`);
}

/** Why a request that changes something came from another site's page, or null when it did not (or came from no browser). */
function crossSiteReason(request: FastifyRequest): string | null {
  const fetchSite = request.headers["sec-fetch-site"];
  if (fetchSite === "cross-site") return "Sec-Fetch-Site is cross-site";
  const origin = request.headers.origin;
  if (typeof origin !== "string") return null;
  if (origin === "null") return "Origin is null";
  return isSameSite(origin, request.frontend.url) ? null : `Origin ${origin.slice(0, 200)} is another site`;
}

/**
 * Frontend API, after frontend-deployment: a POST (sign-in, sign-out, anything a cookie
 * authenticates) sent by another site's page is refused. Browsers say where a request comes from
 * in Sec-Fetch-Site, or at least in Origin; clients that are not browsers send neither and pass.
 */
export const refuseCrossSiteRequests = fp(
  async (app: FastifyInstance) => {
    app.addHook("onRequest", async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      const reason = crossSiteReason(request);
      if (reason) throw errors.cross_site_request(reason);
    });
  },
  { name: "same-site", dependencies: ["frontend-deployment"] },
);
