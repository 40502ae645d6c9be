import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";

/**
 * Webhook URLs are chosen by API callers, and the server sends requests to them: without a check
 * an endpoint could point at the database, a cloud metadata service or an admin port on the
 * server's own network (SSRF). Addresses below are refused unless the operator allows private
 * networks (WACHT_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true, for receivers on the same network, and tests).
 * The check runs when an endpoint is saved and again for every connection, after DNS resolution,
 * so a name that later resolves elsewhere (DNS rebinding) is caught too.
 */
const refused = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT (also Alibaba's metadata 100.100.100.200)
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  refused.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96], // NAT64 of IPv4 addresses
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (AWS metadata fd00:ec2::254)
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  refused.addSubnet(network, prefix, "ipv6");
}

/** `::ffff:10.0.0.1` (or `::ffff:a00:1`) reaches 10.0.0.1: judge such an address by its IPv4 part. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Why an IP address may not receive webhooks, or null when it may. */
export function refusedAddressReason(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return "is not an IP address";
  const mapped = family === 6 ? embeddedIpv4(address) : null;
  if (mapped) return refusedAddressReason(mapped);
  return refused.check(address, family === 4 ? "ipv4" : "ipv6") ? `resolves to ${address}, a loopback, private, link-local or reserved address` : null;
}

const isLocalhostName = (hostname: string) => hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "localhost.localdomain";

/** The URL's host without IPv6 brackets and a trailing dot. */
const hostOf = (url: URL) =>
  url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();

/**
 * The problem with an endpoint URL before any DNS lookup, or null: only http(s), no credentials in
 * the URL, and (unless private networks are allowed) no `localhost` or refused IP literal.
 */
export function checkEndpointUrl(text: string, allowPrivateNetworks: boolean): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "must be an absolute http(s) URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must use http or https";
  if (url.username || url.password) return "must not carry credentials; use a custom header";
  if (allowPrivateNetworks) return null;
  const host = hostOf(url);
  if (isLocalhostName(host)) return "must not point at localhost";
  if (isIP(host)) {
    const reason = refusedAddressReason(host);
    if (reason) return `must not point at a private network: it ${reason}`;
  }
  return null;
}

/** Thrown (as a connection error) when a name resolves to a refused address; recorded on the attempt. */
export class RefusedAddressError extends Error {
  readonly code = "webhook_address_refused";
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that resolves the name and refuses the connection when any address it
 * resolves to is refused, so the socket only ever opens to an address that passed the check.
 */
export function safeLookup(allowPrivateNetworks: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (!allowPrivateNetworks) {
        if (isLocalhostName(hostname.toLowerCase())) return callback(new RefusedAddressError(`${hostname} is localhost`), []);
        for (const { address } of addresses) {
          const reason = refusedAddressReason(address);
          if (reason) return callback(new RefusedAddressError(`${hostname} ${reason}`), []);
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** The check for an IP literal host at delivery time: net.connect does not call `lookup` for those. */
export function checkLiteralHost(url: URL, allowPrivateNetworks: boolean): string | null {
  if (allowPrivateNetworks) return null;
  const host = hostOf(url);
  if (isLocalhostName(host)) return `${host} is localhost`;
  return isIP(host) ? refusedAddressReason(host) && `${host} ${refusedAddressReason(host)}` : null;
}
