import { isIP } from "node:net";
import type { FastifyRequest } from "fastify";

/**
 * The client's address, checked: with a trusted proxy, Fastify takes it from X-Forwarded-For,
 * where a client may have written anything (HTML included). Only a real IPv4 or IPv6 address is
 * believed; anything else falls back to the address of the peer that connected to us. IPv4
 * addresses seen through an IPv6 socket (`::ffff:1.2.3.4`) are written as IPv4.
 */
export function clientAddressOf(request: FastifyRequest): string {
  const forwarded = normalizeAddress(request.ip);
  if (forwarded !== null) return forwarded;
  return normalizeAddress(request.socket?.remoteAddress) ?? "0.0.0.0";
}

function normalizeAddress(raw: string | undefined): string | null {
  if (typeof raw !== "string") return null;
  const text = raw.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(text);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  const version = isIP(text);
  if (version === 4) return text;
  if (version === 6) return text.toLowerCase();
  return null;
}

/**
 * Whom a per-address limit counts: an IPv4 address, or the /64 an IPv6 address is in (one
 * customer's subnet: a host that owns a /64 can use any of its 2^64 addresses).
 */
export function addressKeyOf(address: string): string {
  if (isIP(address) !== 6) return address;
  return `${expandIpv6(address).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros. */
function expandIpv6(address: string): string[] {
  const withoutZone = address.split("%")[0]!.toLowerCase();
  const [head = "", tail] = withoutZone.split("::") as [string, string | undefined];
  const toGroups = (part: string) => (part === "" ? [] : part.split(":")).flatMap((group) => (group.includes(".") ? ipv4ToGroups(group) : [group]));
  const headGroups = toGroups(head);
  const tailGroups = tail === undefined ? [] : toGroups(tail);
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(Math.max(0, missing)).fill("0"), ...tailGroups];
  return groups.map((group) => Number.parseInt(group, 16).toString(16));
}

function ipv4ToGroups(dotted: string): string[] {
  const [a, b, c, d] = dotted.split(".").map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/** The client's limit key, in one call: what every per-address limit keys on. */
export function clientAddressKeyOf(request: FastifyRequest): string {
  return addressKeyOf(clientAddressOf(request));
}
