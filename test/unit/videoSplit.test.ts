import type { Message } from 'grammy/types';
import { partCaption, sendAsAlbums } from '../../activities/adapters/telegram.js';
import { planSplit } from '../../activities/adapters/videoSplit.js';

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

describe('sending the parts', () => {
  it('sends each part on its own, in order, captioned part i/n with the caption on the first', async () => {
    const sent: Array<[string, string | undefined]> = [];
    let messageId = 0;
    const parts = [1, 2, 3].map((index) => ({ kind: 'video' as const, name: `p${index}` }));
    const result = await sendAsAlbums(
      parts,
      'A long talk',
      {
        one: async (item, caption) => {
          sent.push([item.name, caption]);
          messageId += 1;
          return {
            message_id: messageId,
            video: { file_id: `id-${item.name}`, file_unique_id: `u-${item.name}` },
          } as unknown as Message;
        },
        group: () => Promise.reject(new Error('parts are never an album')),
      },
      { parts: true },
    );
    expect(sent).toEqual([
      ['p1', 'A long talk\npart 1/3'],
      ['p2', 'part 2/3'],
      ['p3', 'part 3/3'],
    ]);
    expect(result.files.map((file) => file.fileId)).toEqual(['id-p1', 'id-p2', 'id-p3']);
  });
});
