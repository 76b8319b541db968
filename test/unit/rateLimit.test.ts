import {
  createNetworkMatcher,
  RateLimiter,
  rateLimitKey,
  TELEGRAM_WEBHOOK_NETWORKS,
} from '../../src/http/rateLimit.js';

describe('the Telegram webhook networks', () => {
  const isTelegram = createNetworkMatcher(TELEGRAM_WEBHOOK_NETWORKS);

  it('are the two subnets of Telegram’s webhook guide', () => {
    expect(TELEGRAM_WEBHOOK_NETWORKS).toEqual(['149.154.160.0/20', '91.108.4.0/22']);
  });

  it('contain every address of 149.154.160.0/20, first and last included, and nothing next to it', () => {
    // Tried: both ends of the /20 and the addresses just outside it on either side.
    for (const inside of ['149.154.160.0', '149.154.167.220', '149.154.175.255']) expect(isTelegram(inside)).toBe(true);
    for (const outside of ['149.154.159.255', '149.154.176.0', '149.155.160.1'])
      expect(isTelegram(outside)).toBe(false);
  });

  it('contain every address of 91.108.4.0/22, and nothing next to it', () => {
    for (const inside of ['91.108.4.0', '91.108.6.17', '91.108.7.255']) expect(isTelegram(inside)).toBe(true);
    for (const outside of ['91.108.3.255', '91.108.8.0', '91.109.4.1']) expect(isTelegram(outside)).toBe(false);
  });

  it('match an IPv4 client seen on a dual-stack socket (::ffff:a.b.c.d)', () => {
    expect(isTelegram('::ffff:149.154.167.220')).toBe(true);
    expect(isTelegram('::FFFF:91.108.4.1')).toBe(true);
    expect(isTelegram('::ffff:127.0.0.1')).toBe(false);
  });

  it('do not contain loopback, private addresses, IPv6 or things that are not addresses', () => {
    // Tried: what a forged header or a local client could present instead of an address.
    for (const other of [
      '127.0.0.1',
      '10.0.0.1',
      '::1',
      '2001:db8::1',
      '',
      'localhost',
      '149.154.167.220, 1.2.3.4',
      '149.154.167',
    ]) {
      expect(isTelegram(other)).toBe(false);
    }
  });
});

describe('createNetworkMatcher', () => {
  it('matches IPv6 networks and single addresses', () => {
    const matches = createNetworkMatcher(['2001:db8::/32', '192.0.2.7']);
    expect(matches('2001:db8:ffff::1')).toBe(true);
    expect(matches('2001:db9::1')).toBe(false);
    expect(matches('192.0.2.7')).toBe(true);
    expect(matches('192.0.2.8')).toBe(false);
  });

  it('refuses a malformed network instead of silently matching nothing', () => {
    // Tried: a prefix too long, a non-numeric prefix, a host name, two slashes, an empty entry.
    for (const bad of ['10.0.0.0/33', '10.0.0.0/x', 'example.com/24', '10.0.0.0/8/8', '', '::/129']) {
      expect(() => createNetworkMatcher([bad])).toThrow(/CIDR/);
    }
  });
});

describe('rateLimitKey', () => {
  it('is the address itself for IPv4, also when seen as ::ffff:a.b.c.d', () => {
    expect(rateLimitKey('203.0.113.9')).toBe('203.0.113.9');
    expect(rateLimitKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('is the /64 for IPv6, so one host cannot dodge the limit by changing its interface id', () => {
    // Tried: two addresses of one /64 (written compressed and in full), and one of the next /64.
    const a = rateLimitKey('2001:db8:1:2::1');
    expect(rateLimitKey('2001:0db8:0001:0002:ffff:ffff:ffff:fffe')).toBe(a);
    expect(a).toBe('2001:db8:1:2::/64');
    expect(rateLimitKey('2001:db8:1:3::1')).not.toBe(a);
    expect(rateLimitKey('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });
});

describe('RateLimiter', () => {
  function clock(start = 1_000_000) {
    let now = start;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  }

  it('allows a burst of the per-minute limit, then refuses with the seconds until the next request is allowed', () => {
    // Tried: 7 requests at the same instant against a limit of 5 per minute (one every 12 s).
    const time = clock();
    const limiter = new RateLimiter({ perMinute: 5, now: time.now });
    const decisions = Array.from({ length: 7 }, () => limiter.take('198.51.100.1'));
    expect(decisions.slice(0, 5).every((d) => d.allowed)).toBe(true);
    expect(decisions[5]).toEqual({ allowed: false, retryAfterSeconds: 12, firstRefusal: true });
    expect(decisions[6]).toEqual({ allowed: false, retryAfterSeconds: 12, firstRefusal: false });
  });

  it('refills evenly: one more request per 60/limit seconds, never more than the limit at once', () => {
    const time = clock();
    const limiter = new RateLimiter({ perMinute: 6, now: time.now });
    for (let i = 0; i < 6; i++) limiter.take('a');
    time.advance(4_000);
    expect(limiter.take('a')).toMatchObject({ allowed: false, retryAfterSeconds: 6 });
    time.advance(6_000);
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toMatchObject({ allowed: false, firstRefusal: true });
    // An hour of silence gives back the burst, not an hour's worth of requests.
    time.advance(3_600_000);
    const burst = Array.from({ length: 8 }, () => limiter.take('a').allowed);
    expect(burst.filter(Boolean)).toHaveLength(6);
  });

  it('counts each key on its own', () => {
    const limiter = new RateLimiter({ perMinute: 1, now: clock().now });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('stays within its memory bound when 100,000 distinct addresses arrive at once', () => {
    // Tried: a spoofing-free flood from many real sources (e.g. an IPv6 range): the table never
    // grows past maxKeys; the least recently seen are forgotten, which only forgives them.
    const limiter = new RateLimiter({ perMinute: 2, maxKeys: 1_000, now: clock().now });
    for (let i = 0; i < 100_000; i++) limiter.take(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(limiter.size).toBe(1_000);
    // The most recent ones are still limited.
    limiter.take('10.1.134.159');
    expect(limiter.take('10.1.134.159').allowed).toBe(false);
  });

  it('forgets addresses once they have been quiet long enough to be full again', () => {
    const time = clock();
    const limiter = new RateLimiter({ perMinute: 10, now: time.now });
    for (let i = 0; i < 500; i++) limiter.take(`192.0.2.${i % 250}-${i}`);
    expect(limiter.size).toBe(500);
    time.advance(61_000);
    limiter.take('203.0.113.1');
    expect(limiter.size).toBe(1);
  });
});
