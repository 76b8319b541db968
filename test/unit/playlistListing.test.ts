/**
 * What a playlist entry's child downloads (activities/adapters/playlistListing.ts): the entry's own
 * page when it has one, else the media URL of a page's `<video>` element.
 */
import { entryUrl } from '../../activities/adapters/playlistListing.js';
import type { MediaInfo } from '../../activities/adapters/ytDlpInfo.js';

const PAGE = 'http://127.0.0.1:9/list.html';

function info(overrides: Partial<MediaInfo>): MediaInfo {
  return { formats: [], ...overrides };
}

describe('entryUrl', () => {
  it("is the entry's own page when it has one", () => {
    expect(entryUrl(info({ webpageUrl: 'https://site.example/watch/7' }), PAGE)).toBe('https://site.example/watch/7');
  });

  it("is the best format's media URL for a <video> of the playlist's own page", () => {
    const formats = [
      { id: 'a', order: 0, url: 'http://127.0.0.1:9/small.mp4' },
      { id: 'b', order: 1, url: 'http://127.0.0.1:9/big.mp4' },
      { id: 'c', order: 2, url: 'http://127.0.0.1:9/drm.mp4', hasDrm: true },
    ];
    expect(entryUrl(info({ webpageUrl: PAGE, formats }), PAGE)).toBe('http://127.0.0.1:9/big.mp4');
  });

  it('is nothing when there is no http(s) URL to download', () => {
    expect(
      entryUrl(info({ webpageUrl: PAGE, formats: [{ id: 'x', order: 0, url: 'file:///etc/passwd' }] }), PAGE),
    ).toBe(undefined);
  });
});
