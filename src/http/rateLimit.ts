/**
 * Flood control for the webhook: a token bucket per source address, kept in this process's
 * memory (the edge's job; per-user quotas live in Temporal). Telegram's own delivery networks
 * are never limited, so a burst of real updates is never refused.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where Telegram posts webhooks from, as published in its webhook guide
 * (core.telegram.org/bots/webhooks: "Accepts incoming POSTs from subnets 149.154.160.0/20 and
 * 91.108.4.0/22"; IPv4 only). Telegram says the ranges may change: this is the one place to
 * update them.
 */
export const TELEGRAM_WEBHOOK_NETWORKS: readonly string[] = ['149.154.160.0/20', '91.108.4.0/22'];

/** Addresses remembered at most; beyond it the least recently seen is forgotten (~100 bytes each). */
export const DEFAULT_MAX_TRACKED_ADDRESSES = 10_000;

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is `1.2.3.4`. */
function unmapIPv4(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/**
 * A test for "is this address in one of these networks" (CIDR notation, IPv4 or IPv6; a bare
 * address is a /32 or /128). Throws on a malformed network, so a typo cannot silently exempt
 * nobody (or everybody).
 */
export function createNetworkMatcher(networks: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const network of networks) {
    const [base = '', bits, ...rest] = network.trim().split('/');
    const family = isIPv4(base) ? 'ipv4' : isIPv6(base) ? 'ipv6' : undefined;
    const max = family === 'ipv4' ? 32 : 128;
    const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
    if (!family || rest.length > 0 || !(prefix >= 0 && prefix <= max))
      throw new Error(`not a network in CIDR notation: "${network}"`);
    list.addSubnet(base, prefix, family);
  }
  return (address) => {
    const plain = unmapIPv4(address);
    if (isIPv4(plain)) return list.check(plain, 'ipv4');
    if (isIPv6(plain)) return list.check(plain, 'ipv6');
    return false;
  };
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => parseInt(group, 16));
}

/**
 * What one "source" is for the limit: an IPv4 address, or an IPv6 /64 (one host usually holds
 * a whole /64, so per-address IPv6 limits would be free to dodge).
 */
export function rateLimitKey(address: string): string {
  const plain = unmapIPv4(address);
  if (!isIPv6(plain)) return plain;
  return `${ipv6Groups(plain)
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; firstRefusal: boolean };

export interface RateLimiterOptions {
  /** Requests per minute per key, and the burst allowed at once. */
  perMinute: number;
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  refusing: boolean;
}

/**
 * A token bucket per key: `perMinute` tokens at most, refilled evenly over the minute; a request
 * takes one. Memory is bounded: buckets are kept in least-recently-used order, the ones idle long
 * enough to be full again are dropped (a full bucket is the same as none), and beyond `maxKeys`
 * the least recently used is dropped (which only forgives that key).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: RateLimiterOptions) {
    if (!(options.perMinute > 0)) throw new Error('perMinute must be positive');
    this.capacity = options.perMinute;
    this.perMs = options.perMinute / 60_000;
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_TRACKED_ADDRESSES;
    this.now = options.now ?? Date.now;
  }

  /** Keys remembered right now. */
  get size(): number {
    return this.buckets.size;
  }

  take(key: string): RateDecision {
    const now = this.now();
    this.forgetIdle(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now, refusing: false };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    // Re-inserted: the Map's order is the least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.refusing = false;
      return { allowed: true };
    }
    const firstRefusal = !bucket.refusing;
    bucket.refusing = true;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)),
      firstRefusal,
    };
  }

  /** Drops buckets, oldest first, that have refilled completely since they were last used. */
  private forgetIdle(now: number): void {
    const fullAfterMs = this.capacity / this.perMs;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at < fullAfterMs) break;
      this.buckets.delete(key);
    }
  }
}

export interface WebhookRateLimitOptions {
  perMinute: number;
  /** Never limited; default Telegram's webhook networks. */
  exemptNetworks?: readonly string[];
  maxKeys?: number;
  now?: () => number;
}

/**
 * A fastify `onRequest` hook: answers 429 with `Retry-After` once a source address used up its
 * requests, before the body is read or the secret compared. `request.ip` is the socket's address,
 * or with `trustProxy` the client address from X-Forwarded-For.
 */
export function webhookRateLimit(options: WebhookRateLimitOptions) {
  const limiter = new RateLimiter({ perMinute: options.perMinute, maxKeys: options.maxKeys, now: options.now });
  const exempt = createNetworkMatcher(options.exemptNetworks ?? TELEGRAM_WEBHOOK_NETWORKS);
  return async function limitWebhookRate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (exempt(request.ip)) return;
    const decision = limiter.take(rateLimitKey(request.ip));
    if (decision.allowed) return;
    // One line when a source starts being refused, not one per refused request.
    if (decision.firstRefusal)
      request.log.warn(
        { ip: request.ip, perMinute: options.perMinute },
        'webhook rate limit reached; refusing this address for now',
      );
    await reply
      .code(429)
      .header('retry-after', String(decision.retryAfterSeconds))
      .send({ ok: false, error: 'too many requests' });
  };
}
