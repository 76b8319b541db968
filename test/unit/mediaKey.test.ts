import { createHash } from 'node:crypto';
import { mediaCacheId, normalizeMediaUrl } from '../../activities/adapters/mediaKey.js';
import type { MediaKey } from '../../shared/activityTypes.js';

const BOT_ID = '123456';
const KEY: MediaKey = {
  url: 'https://video.example.com/watch?v=AbC123',
  mode: 'video',
  maxHeight: 720,
  maxUploadBytes: 52_428_800,
  albumCap: 10,
};

describe('normalizeMediaUrl', () => {
  it('lower-cases the host', () => {
    expect(normalizeMediaUrl('https://Video.EXAMPLE.com/watch?v=1')).toBe('https://video.example.com/watch?v=1');
  });

  it('lower-cases the scheme', () => {
    expect(normalizeMediaUrl('HTTPS://video.example.com/watch?v=1')).toBe('https://video.example.com/watch?v=1');
  });

  it('keeps the case of the path, which servers may tell apart', () => {
    expect(normalizeMediaUrl('https://example.com/Videos/AbC.mp4')).toBe('https://example.com/Videos/AbC.mp4');
  });

  it('keeps the case of query values, which are often case-sensitive ids', () => {
    expect(normalizeMediaUrl('https://example.com/watch?v=AbC')).toBe('https://example.com/watch?v=AbC');
  });

  it.each(['#t=30', '#t=1m30s', '#t=1h2m3s', '#T=30', '#at=90', '#t=0:42', '#t=10,20', '#t=12.5', '#start=30', '#t='])(
    'drops the fragment %s, which only says where playback starts',
    (fragment) => {
      expect(normalizeMediaUrl(`https://example.com/watch?v=1${fragment}`)).toBe('https://example.com/watch?v=1');
    },
  );

  // Pages that route by fragment show other media for each: sharing a key would send the wrong file.
  it.each(['#/video/2', '#!/watch/abc', '#video-3', '#t=30&v=2', '#top', '#t=next'])(
    'keeps the fragment %s, which may name other media',
    (fragment) => {
      expect(normalizeMediaUrl(`https://example.com/page${fragment}`)).toBe(`https://example.com/page${fragment}`);
    },
  );

  it('drops an empty fragment', () => {
    expect(normalizeMediaUrl('https://example.com/a.mp4#')).toBe('https://example.com/a.mp4');
  });

  it.each([
    'utm_source',
    'utm_medium',
    'utm_campaign',
    'utm_term',
    'utm_content',
    'UTM_Source',
    'fbclid',
    'gclid',
    'FBCLID',
  ])('drops the tracking parameter %s', (name) => {
    expect(normalizeMediaUrl(`https://example.com/watch?v=1&${name}=tracker`)).toBe('https://example.com/watch?v=1');
  });

  it('drops the question mark when only tracking parameters were in the query', () => {
    expect(normalizeMediaUrl('https://example.com/a.mp4?utm_source=x&fbclid=y&gclid=z')).toBe(
      'https://example.com/a.mp4',
    );
  });

  it('keeps every other parameter and their order when tracking parameters around them are dropped', () => {
    expect(normalizeMediaUrl('https://example.com/watch?utm_source=x&v=1&list=PL9&fbclid=y&t=30&gclid=z')).toBe(
      'https://example.com/watch?v=1&list=PL9&t=30',
    );
  });

  it('keeps the order of the parameters as written, without sorting them', () => {
    expect(normalizeMediaUrl('https://example.com/watch?z=1&a=2')).toBe('https://example.com/watch?z=1&a=2');
  });

  it('keeps parameters that only start like a tracking one', () => {
    expect(normalizeMediaUrl('https://example.com/watch?utm=1&fbclid_extra=2&xgclid=3')).toBe(
      'https://example.com/watch?utm=1&fbclid_extra=2&xgclid=3',
    );
  });

  it('keeps repeated parameters', () => {
    expect(normalizeMediaUrl('https://example.com/watch?id=1&id=2')).toBe('https://example.com/watch?id=1&id=2');
  });

  it.each([
    ['https://example.com:443/a.mp4', 'https://example.com/a.mp4'],
    ['http://example.com:80/a.mp4', 'http://example.com/a.mp4'],
  ])('drops the default port of the scheme in %s, as WHATWG URL does', (raw, normalized) => {
    expect(normalizeMediaUrl(raw)).toBe(normalized);
  });

  it.each([
    ['https://example.com:8443/a.mp4', 'https://example.com:8443/a.mp4'],
    ['http://example.com:443/a.mp4', 'http://example.com:443/a.mp4'],
    ['https://example.com:80/a.mp4', 'https://example.com:80/a.mp4'],
  ])('keeps a port that is not the default of the scheme in %s', (raw, normalized) => {
    expect(normalizeMediaUrl(raw)).toBe(normalized);
  });

  it('gives the same result as WHATWG URL for a link that needs no normalizing', () => {
    const link = 'https://example.com/path/to/video.mp4?quality=hd&lang=en';
    expect(normalizeMediaUrl(link)).toBe(new URL(link).href);
  });

  // A hidden link's target can be any text; throwing here failed claimMedia (a TypeError, retried)
  // before the download could refuse the link as InvalidUrl.
  it.each(['not a link', '--exec=touch /tmp/pwned', '-o/tmp/x https://example.com/a.mp4'])(
    'keeps %j, which is not a URL, as it is',
    (raw) => {
      expect(normalizeMediaUrl(raw)).toBe(raw);
    },
  );

  it('keeps a query parameter name with a malformed escape instead of throwing', () => {
    expect(normalizeMediaUrl('https://example.com/a.mp4?%zz=1&utm_source=x')).toBe('https://example.com/a.mp4?%zz=1');
  });
});

describe('mediaCacheId', () => {
  it('is media-cache- followed by a full SHA-256 in hex', () => {
    expect(mediaCacheId(KEY, BOT_ID)).toMatch(/^media-cache-[0-9a-f]{64}$/);
  });

  it('is the same every time for the same key and bot', () => {
    expect(mediaCacheId({ ...KEY }, BOT_ID)).toBe(mediaCacheId(KEY, BOT_ID));
  });

  it.each([
    ['with the host in capitals', 'https://VIDEO.Example.COM/watch?v=AbC123'],
    ['with a start time in the fragment', 'https://video.example.com/watch?v=AbC123#t=42'],
    ['with an empty fragment', 'https://video.example.com/watch?v=AbC123#'],
    ['with the default port', 'https://video.example.com:443/watch?v=AbC123'],
    ['with tracking parameters', 'https://video.example.com/watch?utm_source=tg&v=AbC123&fbclid=IwAR0&gclid=Cj0'],
    ['with all of these at once', 'HTTPS://Video.Example.com:443/watch?utm_campaign=x&v=AbC123#at=10'],
  ])('is the same for the same media written %s', (_how, url) => {
    expect(mediaCacheId({ ...KEY, url }, BOT_ID)).toBe(mediaCacheId(KEY, BOT_ID));
  });

  it('hashes a key without a clip range as before ranges existed, so cached entries stay valid', () => {
    const before = JSON.stringify({
      bot: BOT_ID,
      url: KEY.url,
      mode: KEY.mode,
      maxHeight: KEY.maxHeight,
      maxUploadBytes: KEY.maxUploadBytes,
      albumCap: KEY.albumCap,
    });
    const expected = `media-cache-${createHash('sha256').update(before).digest('hex')}`;
    expect(mediaCacheId(KEY, BOT_ID)).toBe(expected);
    expect(mediaCacheId({ ...KEY, clip: undefined }, BOT_ID)).toBe(expected);
  });

  it('tells a clip from the whole media and from another clip', () => {
    const clip = mediaCacheId({ ...KEY, clip: { startSeconds: 2, endSeconds: 5 } }, BOT_ID);
    expect(clip).not.toBe(mediaCacheId(KEY, BOT_ID));
    expect(clip).not.toBe(mediaCacheId({ ...KEY, clip: { startSeconds: 2, endSeconds: 6 } }, BOT_ID));
    expect(clip).toBe(mediaCacheId({ ...KEY, clip: { startSeconds: 2, endSeconds: 5 } }, BOT_ID));
  });

  it('is the same when the quality cap is left out or written as undefined', () => {
    const { maxHeight: _omitted, ...withoutHeight } = KEY;
    expect(mediaCacheId({ ...KEY, maxHeight: undefined }, BOT_ID)).toBe(mediaCacheId(withoutHeight, BOT_ID));
  });

  it.each<[string, Partial<MediaKey>]>([
    ['path', { url: 'https://video.example.com/watch2?v=AbC123' }],
    ['path case', { url: 'https://video.example.com/Watch?v=AbC123' }],
    ['query value', { url: 'https://video.example.com/watch?v=AbC124' }],
    ['query value case', { url: 'https://video.example.com/watch?v=abc123' }],
    ['extra query parameter', { url: 'https://video.example.com/watch?v=AbC123&list=PL1' }],
    ['host', { url: 'https://other.example.com/watch?v=AbC123' }],
    ['port', { url: 'https://video.example.com:8443/watch?v=AbC123' }],
    ['scheme', { url: 'http://video.example.com/watch?v=AbC123' }],
    ['fragment that is not a start time', { url: 'https://video.example.com/watch?v=AbC123#/clip/2' }],
    ['mode', { mode: 'audio' }],
    ['mode (document)', { mode: 'document' }],
    ['maxHeight', { maxHeight: 480 }],
    ['maxHeight left out', { maxHeight: undefined }],
    ['maxUploadBytes', { maxUploadBytes: 2_000 * 1024 * 1024 }],
    ['albumCap', { albumCap: 5 }],
  ])('differs when the %s differs', (_what, change) => {
    expect(mediaCacheId({ ...KEY, ...change }, BOT_ID)).not.toBe(mediaCacheId(KEY, BOT_ID));
  });

  it('differs for another bot, whose file_ids are not valid for this one', () => {
    expect(mediaCacheId(KEY, '654321')).not.toBe(mediaCacheId(KEY, BOT_ID));
  });

  it('differs for two links to one page that route to different videos by fragment', () => {
    const second = mediaCacheId({ ...KEY, url: 'https://spa.example.com/page#/video/2' }, BOT_ID);
    const third = mediaCacheId({ ...KEY, url: 'https://spa.example.com/page#/video/3' }, BOT_ID);
    expect(second).not.toBe(third);
    expect(second).not.toBe(mediaCacheId({ ...KEY, url: 'https://spa.example.com/page' }, BOT_ID));
  });

  it('is the same for a video linked with and without a start time (#t=10)', () => {
    const plain = mediaCacheId({ ...KEY, url: 'https://spa.example.com/video.mp4' }, BOT_ID);
    expect(mediaCacheId({ ...KEY, url: 'https://spa.example.com/video.mp4#t=10' }, BOT_ID)).toBe(plain);
  });

  it('differs when the order of query parameters differs', () => {
    const a = mediaCacheId({ ...KEY, url: 'https://example.com/v?a=1&b=2' }, BOT_ID);
    const b = mediaCacheId({ ...KEY, url: 'https://example.com/v?b=2&a=1' }, BOT_ID);
    expect(a).not.toBe(b);
  });
});
