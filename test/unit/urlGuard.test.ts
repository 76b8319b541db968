import {
  UrlRejected,
  assertFetchableUrl,
  isBlockedAddress,
  parseMediaUrl,
} from '../../activities/adapters/urlGuard.js';
import { FailureType } from '../../shared/failures.js';

/** The UrlRejected a promise rejects with (fails the test when it resolves or throws something else). */
async function rejectionOf(promise: Promise<unknown>): Promise<UrlRejected> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UrlRejected);
    return error as UrlRejected;
  }
  throw new Error('the URL was accepted');
}

function syncRejectionOf(run: () => unknown): UrlRejected {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UrlRejected);
    return error as UrlRejected;
  }
  throw new Error('the URL was accepted');
}

/** A resolver that answers every name with these addresses and records what it was asked. */
function resolverAnswering(...addresses: string[]) {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    return addresses;
  };
  return { resolve, asked };
}

function resolverFailing(code: string) {
  return async (): Promise<string[]> => {
    throw Object.assign(new Error(`getaddrinfo ${code} example.invalid`), { code });
  };
}

describe('parseMediaUrl', () => {
  it('returns the URL of an https link', () => {
    expect(parseMediaUrl('https://example.com/v.mp4').href).toBe('https://example.com/v.mp4');
  });

  it.each([
    ['an ftp link', 'ftp://example.com/file.mp4'],
    ['a javascript: link', 'javascript:alert(1)'],
    ['a link starting with "-"', '-https://example.com/'],
    ['an option-like argument', '--exec=rm -rf /'],
    ['garbage', 'not a url at all'],
    ['a file: link', 'file:///etc/passwd'],
    ['a host starting with "-" (an option marked as a link, "https://" added)', 'https://-o/tmp/x'],
    ['a host label starting with "-"', 'http://media.--exec=touch/v.mp4'],
  ])('rejects %s as InvalidUrl', (_what, raw) => {
    const error = syncRejectionOf(() => parseMediaUrl(raw));
    expect(error.type).toBe(FailureType.InvalidUrl);
    expect(error.name).toBe('UrlRejected');
  });
});

describe('isBlockedAddress', () => {
  it.each([
    ['IPv4 loopback', '127.0.0.1'],
    ['private 10.0.0.0/8', '10.1.2.3'],
    ['the first address of 172.16.0.0/12', '172.16.0.1'],
    ['the last block of 172.16.0.0/12', '172.31.255.254'],
    ['private 192.168.0.0/16', '192.168.1.10'],
    ['the cloud metadata address', '169.254.169.254'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['the unspecified IPv4 address', '0.0.0.0'],
    ['IPv4 multicast', '224.0.0.1'],
    ['IPv6 loopback', '::1'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 unique local', 'fc00::1'],
    ['IPv4-mapped loopback in dotted form', '::ffff:127.0.0.1'],
    ['IPv4-mapped loopback in hex form', '::ffff:7f00:1'],
    ['IPv4-mapped private address in hex form', '::ffff:a00:1'],
    ['something that is not an IP address', 'example.com'],
  ])('blocks %s (%s)', (_what, address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each([
    ['172.32.0.1, just outside 172.16.0.0/12', '172.32.0.1'],
    ['a public IPv4 address', '93.184.216.34'],
    ['a public IPv6 address', '2606:2800:220:1::1'],
    ['an IPv4-mapped public address', '::ffff:93.184.216.34'],
  ])('allows %s', (_what, address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });
});

describe('assertFetchableUrl', () => {
  it('rejects a host that resolves to loopback as BlockedAddress', async () => {
    const { resolve, asked } = resolverAnswering('127.0.0.1');
    const error = await rejectionOf(assertFetchableUrl('https://sneaky.example/video', [], resolve));
    expect(error.type).toBe(FailureType.BlockedAddress);
    expect(asked).toEqual(['sneaky.example']);
  });

  it('rejects a host when any one of its addresses is private', async () => {
    const { resolve } = resolverAnswering('93.184.216.34', '10.0.0.5');
    expect((await rejectionOf(assertFetchableUrl('https://mixed.example/', [], resolve))).type).toBe(
      FailureType.BlockedAddress,
    );
  });

  it('rejects a host that resolves to no address at all', async () => {
    const { resolve } = resolverAnswering();
    expect((await rejectionOf(assertFetchableUrl('https://empty.example/', [], resolve))).type).toBe(
      FailureType.BlockedAddress,
    );
  });

  it('accepts a host that resolves to a public address', async () => {
    const { resolve } = resolverAnswering('93.184.216.34', '2606:2800:220:1::1');
    const url = await assertFetchableUrl('https://example.com/watch?v=1', [], resolve);
    expect(url.href).toBe('https://example.com/watch?v=1');
  });

  it('rejects the decimal host http://2130706433/ as BlockedAddress without resolving it', async () => {
    const { resolve, asked } = resolverAnswering('93.184.216.34');
    expect((await rejectionOf(assertFetchableUrl('http://2130706433/', [], resolve))).type).toBe(
      FailureType.BlockedAddress,
    );
    expect(asked).toEqual([]);
  });

  it('rejects http://[::1]/ as BlockedAddress', async () => {
    const { resolve } = resolverAnswering('93.184.216.34');
    expect((await rejectionOf(assertFetchableUrl('http://[::1]/', [], resolve))).type).toBe(FailureType.BlockedAddress);
  });

  it('rejects an IPv4-mapped loopback literal http://[::ffff:127.0.0.1]/ as BlockedAddress', async () => {
    const { resolve } = resolverAnswering('93.184.216.34');
    expect((await rejectionOf(assertFetchableUrl('http://[::ffff:127.0.0.1]/', [], resolve))).type).toBe(
      FailureType.BlockedAddress,
    );
  });

  it('accepts an allowlisted 127.0.0.1', async () => {
    const { resolve, asked } = resolverAnswering('127.0.0.1');
    const url = await assertFetchableUrl('http://127.0.0.1:8080/a.mp4', ['127.0.0.1'], resolve);
    expect(url.port).toBe('8080');
    expect(asked).toEqual([]);
  });

  it('accepts an allowlisted host name whatever its case in the link', async () => {
    const { resolve } = resolverAnswering('10.0.0.5');
    await expect(
      assertFetchableUrl('http://Media.Internal/a.mp4', ['media.internal'], resolve),
    ).resolves.toBeInstanceOf(URL);
  });

  it('reports a host that does not exist (ENOTFOUND) as ContentUnavailable', async () => {
    const error = await rejectionOf(assertFetchableUrl('https://nope.example/', [], resolverFailing('ENOTFOUND')));
    expect(error.type).toBe(FailureType.ContentUnavailable);
  });

  it('reports a temporary DNS failure (EAI_AGAIN) as TransientNetwork', async () => {
    const error = await rejectionOf(assertFetchableUrl('https://flaky.example/', [], resolverFailing('EAI_AGAIN')));
    expect(error.type).toBe(FailureType.TransientNetwork);
    expect(error.message).toContain('EAI_AGAIN');
  });

  it('rejects a non-http link as InvalidUrl before resolving anything', async () => {
    const { resolve, asked } = resolverAnswering('93.184.216.34');
    expect((await rejectionOf(assertFetchableUrl('ftp://example.com/', [], resolve))).type).toBe(
      FailureType.InvalidUrl,
    );
    expect(asked).toEqual([]);
  });
});

describe('IPv6 forms that carry an IPv4 address', () => {
  it.each([
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '::ffff:0:7f00:1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  ])('refuses %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });
});
