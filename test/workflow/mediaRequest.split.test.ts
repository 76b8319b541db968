/**
 * A video over the upload limit, split into parts by the download: the parts go to the one
 * upload in order, as parts, are cached in order, and a cached split video is sent again as parts.
 * With split off in the chat's settings, the download is not asked to split.
 */
import type { CachedMedia, DownloadResult } from '../../shared/activityTypes.js';
import { mediaCaption } from '../../shared/botTexts.js';
import { statusQuery } from '../../shared/contracts/mediaRequest.js';
import { currentDetails } from '../../shared/requestStatusView.js';
import { mediaRequest } from './support/inputs.js';
import { duringRequest, executeRequest } from './support/runs.js';
import { Calls, downloaded, downloadsQueue, hostQueue, sentVideo, telegramQueue } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/long.mp4';

function downloadedInParts(count: number): DownloadResult {
  const whole = downloaded('host-a', { items: count });
  return { ...whole, album: false, availableItems: 1, parts: true };
}

describe('a video split into parts', () => {
  it('is asked of the download, uploaded in order as parts, and cached in order', async () => {
    const calls = new Calls();
    const parts = downloadedInParts(3);
    const result = await executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, async () => parts),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(result.outcome).toBe('delivered');
    expect(calls.inputs('downloadMedia')).toEqual([expect.objectContaining({ split: true })]);
    expect(calls.inputs('sendMedia')).toEqual([
      expect.objectContaining({
        files: parts.files,
        album: false,
        parts: true,
        caption: mediaCaption('A clip', LINK),
      }),
    ]);
    expect(calls.inputs('completeCachedMedia')).toEqual([
      expect.objectContaining({
        media: {
          files: [sentVideo('file-id-video'), sentVideo('file-id-video-2'), sentVideo('file-id-video-3')],
          album: false,
          parts: true,
          availableItems: 1,
          title: 'A clip',
        },
      }),
    ]);
  });

  it('shows in the status how many parts are being uploaded', async () => {
    const calls = new Calls();
    let finishUpload = () => undefined as void;
    const uploadHeld = new Promise<void>((resolve) => (finishUpload = resolve));
    let seen: Parameters<typeof currentDetails>[0] | undefined;
    await duringRequest(
      tier,
      mediaRequest([LINK]),
      {
        telegram: telegramQueue(calls),
        downloads: downloadsQueue(calls, async () => downloadedInParts(4)),
        hosts: {
          'host-a': hostQueue(calls, {
            sendMedia: async (input) => {
              await uploadHeld;
              return {
                messageIds: input.files.map((_, index) => 2000 + index),
                files: input.files.map(() => sentVideo()),
              };
            },
          }),
        },
      },
      async (handle) => {
        await calls.waitFor('sendMedia');
        seen = await handle.query(statusQuery);
        finishUpload();
      },
    );

    expect(seen).toMatchObject({ phase: 'uploading', parts: 4 });
    expect(currentDetails(seen!)).toContain('**uploading**, in 4 parts');
  });

  it('is sent again from the cache as its parts, in order', async () => {
    const calls = new Calls();
    const media: CachedMedia = {
      files: [sentVideo('part-1'), sentVideo('part-2'), sentVideo('part-3')],
      album: false,
      parts: true,
      availableItems: 1,
      title: 'A long one',
    };
    const result = await executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls, {
        store: { claimCachedMedia: async () => ({ status: 'cached', cacheId: 'cache-1', media }) },
      }),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(result.outcome).toBe('cached');
    expect(calls.of('downloadMedia')).toEqual([]);
    expect(calls.inputs('sendCachedMedia')).toEqual([
      expect.objectContaining({ media, caption: mediaCaption('A long one', LINK) }),
    ]);
  });

  it('is not asked for when the chat turned split off, nor for audio', async () => {
    const calls = new Calls();
    const telegram = telegramQueue(calls, {
      store: { admitRequest: async () => ({ decision: { granted: true }, settings: { mode: 'video', split: false } }) },
    });
    const queues = { telegram, downloads: downloadsQueue(calls, 'host-a'), hosts: { 'host-a': hostQueue(calls) } };
    await executeRequest(tier, mediaRequest([LINK]), queues);
    await executeRequest(tier, mediaRequest([LINK], { mode: 'audio' }), {
      ...queues,
      telegram: telegramQueue(calls),
    });

    const downloads = calls.inputs<Record<string, unknown>>('downloadMedia');
    expect(downloads).toHaveLength(2);
    for (const input of downloads) expect(input).not.toHaveProperty('split');
  });
});
