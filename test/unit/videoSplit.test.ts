import { partCaption, planSplit } from '../../activities/adapters/videoSplit.js';

const MB = 1024 * 1024;

describe('planning the parts of a video over the upload limit', () => {
  it('plans parts below the limit, with room for where keyframes fall', () => {
    expect(planSplit({ sizeBytes: 3 * MB, durationSeconds: 10, maxUploadBytes: MB, maxParts: 10 })).toEqual({
      kind: 'parts',
      count: 4,
      partSeconds: 2.5,
    });
    expect(planSplit({ sizeBytes: 1.5 * MB, durationSeconds: 60, maxUploadBytes: MB, maxParts: 10 })).toEqual({
      kind: 'parts',
      count: 2,
      partSeconds: 30,
    });
  });

  it('is one part when the media fits', () => {
    expect(planSplit({ sizeBytes: 0.5 * MB, durationSeconds: 8, maxUploadBytes: MB, maxParts: 10 })).toMatchObject({
      count: 1,
      partSeconds: 8,
    });
  });

  it('refuses a video that would need more than the most parts allowed, saying how many', () => {
    expect(planSplit({ sizeBytes: 10 * MB, durationSeconds: 100, maxUploadBytes: MB, maxParts: 10 })).toEqual({
      kind: 'tooMany',
      count: 12,
      problem: 'it would take 12 parts, more than 10',
    });
    expect(planSplit({ sizeBytes: 8 * MB, durationSeconds: 100, maxUploadBytes: MB, maxParts: 10 })).toMatchObject({
      kind: 'parts',
      count: 10,
    });
  });
});

describe('the caption of a part', () => {
  it('reads part i/n, with the title on the first', () => {
    expect(partCaption(1, 3, 'A long talk')).toBe('A long talk\npart 1/3');
    expect(partCaption(2, 3, 'A long talk')).toBe('part 2/3');
    expect(partCaption(1, 3, undefined)).toBe('part 1/3');
  });
});
