import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { FailureType } from '../../shared/failures.js';

/**
 * Addresses a link may not lead to: the bot runs inside the operator's network and must not
 * become a way into it. This is the check before yt-dlp starts; it does not see redirects or
 * DNS answers that change later (an egress proxy that checks at connect time would).
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
// IPv6 forms that embed or translate IPv4 (IPv4-compatible, SIIT, NAT64, 6to4, Teredo) are refused
// whole: a media host has a plain address.
for (const [network, prefix] of [
  ['::', 96],
  ['::1', 128],
  ['::ffff:0:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

export class UrlRejected extends Error {
  constructor(
    readonly type:
      | typeof FailureType.InvalidUrl
      | typeof FailureType.BlockedAddress
      | typeof FailureType.ContentUnavailable
      | typeof FailureType.TransientNetwork,
    message: string,
  ) {
    super(message);
    this.name = 'UrlRejected';
  }
}

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
    // ::ffff:7f00:1 is 127.0.0.1 written in hex.
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
    if (hexMapped?.[1] && hexMapped[2]) {
      const high = parseInt(hexMapped[1], 16);
      const low = parseInt(hexMapped[2], 16);
      return blocked.check(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4');
    }
    return blocked.check(address, 'ipv6');
  }
  return true;
}

/** Parses a link as sent by a user; only absolute http(s) URLs pass. */
export function parseMediaUrl(raw: string): URL {
  if (raw.startsWith('-')) throw new UrlRejected(FailureType.InvalidUrl, 'the link starts with "-"');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRejected(FailureType.InvalidUrl, 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UrlRejected(FailureType.InvalidUrl, `only http and https links are supported, not ${url.protocol}`);
  }
  if (!url.hostname) throw new UrlRejected(FailureType.InvalidUrl, 'the link has no host');
  // No DNS name has a label starting with "-": `https://-o/x` is an option dressed as a link
  // (a message's "-o/x" marked as a link), not a host to look up.
  if (url.hostname.split('.').some((label) => label.startsWith('-'))) {
    throw new UrlRejected(FailureType.InvalidUrl, 'the host of the link is not a valid name');
  }
  return url;
}

type Resolve = (hostname: string) => Promise<string[]>;

const resolveAll: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Refuses links to loopback, private, link-local, CGNAT, multicast and unspecified addresses,
 * unless the host is on the operator's allowlist (EGRESS_ALLOWED_HOSTS).
 */
export async function assertFetchableUrl(
  raw: string,
  allowedHosts: readonly string[],
  resolve: Resolve = resolveAll,
): Promise<URL> {
  const url = parseMediaUrl(raw);
  const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (allowedHosts.includes(hostname)) return url;
  if (isIP(hostname)) {
    if (isBlockedAddress(hostname))
      throw new UrlRejected(FailureType.BlockedAddress, `${hostname} is a private or local address`);
    return url;
  }
  let addresses: string[];
  try {
    addresses = await resolve(hostname);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      throw new UrlRejected(FailureType.ContentUnavailable, `the host ${hostname} does not exist`);
    }
    throw new UrlRejected(FailureType.TransientNetwork, `could not resolve ${hostname} (${code ?? 'DNS error'})`);
  }
  if (addresses.length === 0 || addresses.some(isBlockedAddress)) {
    throw new UrlRejected(FailureType.BlockedAddress, `${hostname} resolves to a private or local address`);
  }
  return url;
}
