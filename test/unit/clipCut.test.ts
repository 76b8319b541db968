import { rangeBeyondMedia } from '../../activities/adapters/clipCut.js';

describe('a range against the media’s duration', () => {
  it('fits when it ends inside the media, or within the second durations are rounded to', () => {
    expect(rangeBeyondMedia({ startSeconds: 2, endSeconds: 5 }, 10)).toBeUndefined();
    expect(rangeBeyondMedia({ startSeconds: 2, endSeconds: 11 }, 10)).toBeUndefined();
  });

  it('is refused past the end, with both in words', () => {
    expect(rangeBeyondMedia({ startSeconds: 5, endSeconds: 30 }, 10)).toBe(
      'the media lasts 0:10, so it has no 0:05–0:30',
    );
    expect(rangeBeyondMedia({ startSeconds: 90, endSeconds: 165 }, 60)).toBe(
      'the media lasts 1:00, so it has no 1:30–2:45',
    );
  });

  it('is left to the downloaded file when the probe does not know the duration (direct files)', () => {
    expect(rangeBeyondMedia({ startSeconds: 5, endSeconds: 30 }, undefined)).toBeUndefined();
  });
});
