/**
 * How a link's media reaches the chat: downloaded and uploaded, from the media cache by file_id,
 * after another request's download, in the chat's settings. The time-skipping server: a request
 * that waits for another one's download gives up after 15 minutes, which pass at once here.
 */
import { ACKNOWLEDGED, albumCapNote, linkProgressText, mediaCaption, UPLOADING } from '../../shared/botTexts.js';
import { mediaSettledSignal } from '../../shared/contracts/mediaCache.js';
import { FailureType } from '../../shared/failures.js';
import { CHAT_ID, CLOUD_UPLOAD_LIMIT, MESSAGE_ID, mediaRequest, USER_ID } from './support/inputs.js';
import { duringRequest, executeRequest } from './support/runs.js';
import {
  cachedVideo,
  Calls,
  downloaded,
  downloadsQueue,
  failure,
  hostQueue,
  sentVideo,
  telegramQueue,
} from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/clip.mp4';

describe('a link downloaded here', () => {
  it('is acknowledged, downloaded, uploaded from the download host as a reply, cached, and the ⏳ and the quota slot go', async () => {
    const calls = new Calls();
    const result = await executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(result).toEqual({ outcome: 'delivered', links: [{ link: LINK, outcome: 'delivered', items: 1 }] });
    expect(calls.names()).toEqual([
      'admitRequest',
      'sendText',
      'claimCachedMedia',
      'downloadMedia',
      'editText',
      'sendMedia',
      'completeCachedMedia',
      'deleteMessage',
      'releaseQuotaSlot',
    ]);
    const [admitted] = calls.inputs<{ holder: string }>('admitRequest');
    expect(admitted).toEqual({
      chatId: CHAT_ID,
      userId: USER_ID,
      holder: expect.any(String),
      links: 1,
      limits: { concurrentRequests: 2, requestsPerHour: 20 },
    });
    const status = { chatId: CHAT_ID, messageId: 1001 };
    expect(calls.inputs('sendText')).toEqual([
      { chatId: CHAT_ID, text: ACKNOWLEDGED, replyToMessageId: MESSAGE_ID, cancelButtonFor: MESSAGE_ID },
    ]);
    expect(calls.inputs('downloadMedia')).toEqual([
      {
        requestId: admitted!.holder,
        url: LINK,
        mode: 'video',
        maxUploadBytes: CLOUD_UPLOAD_LIMIT,
        albumCap: 10,
        split: true,
        status: { ...status, requestMessageId: MESSAGE_ID },
      },
    ]);
    // The Cancel button goes while uploading: a cancel can no longer promise that nothing arrives.
    expect(calls.inputs('editText')).toEqual([{ ...status, text: UPLOADING }]);
    const download = downloaded('host-a');
    expect(calls.of('sendMedia').map((call) => [call.taskQueue, call.input])).toEqual([
      [
        'host-a',
        {
          chatId: CHAT_ID,
          replyToMessageId: MESSAGE_ID,
          files: download.files,
          album: false,
          caption: mediaCaption('A clip', LINK),
          removeDir: download.dir,
        },
      ],
    ]);
    expect(calls.inputs('completeCachedMedia')).toEqual([
      {
        cacheId: 'cache-1',
        holder: admitted!.holder,
        media: { files: [sentVideo()], album: false, availableItems: 1, title: 'A clip' },
      },
    ]);
    expect(calls.inputs('deleteMessage')).toEqual([status]);
    expect(calls.inputs('releaseQuotaSlot')).toEqual([{ userId: USER_ID, holder: admitted!.holder }]);
    // The upload removed the files itself: no cleanup task.
    expect(calls.of('cleanup')).toEqual([]);
  });

  it("uses the chat's settings, and /audio's mode over the chat's", async () => {
    const calls = new Calls();
    const telegram = telegramQueue(calls, {
      store: {
        admitRequest: async () => ({ decision: { granted: true }, settings: { mode: 'document', maxHeight: 480 } }),
      },
    });
    const queues = { telegram, downloads: downloadsQueue(calls, 'host-a'), hosts: { 'host-a': hostQueue(calls) } };
    await executeRequest(tier, mediaRequest([LINK]), queues);
    await executeRequest(tier, mediaRequest([LINK], { mode: 'audio' }), queues);

    const asked = { maxUploadBytes: CLOUD_UPLOAD_LIMIT, albumCap: 10, maxHeight: 480 };
    expect(calls.inputs('claimCachedMedia')).toEqual([
      { key: { url: LINK, mode: 'document', ...asked }, holder: expect.any(String) },
      { key: { url: LINK, mode: 'audio', ...asked }, holder: expect.any(String) },
    ]);
    expect(calls.inputs('downloadMedia')).toEqual([
      expect.objectContaining({ mode: 'document', maxHeight: 480 }),
      expect.objectContaining({ mode: 'audio', maxHeight: 480 }),
    ]);
  });

  it('tells how many items a gallery had when the album cap cut it short', async () => {
    const calls = new Calls();
    await executeRequest(tier, mediaRequest([LINK], { albumCap: 3 }), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, async () => downloaded('host-a', { items: 3, available: 12 })),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(calls.inputs('sendMedia')).toEqual([expect.objectContaining({ album: true })]);
    expect(calls.inputs('sendText').slice(1)).toEqual([
      { chatId: CHAT_ID, text: albumCapNote(3, 12), replyToMessageId: MESSAGE_ID },
    ]);
    expect(calls.names().indexOf('sendText', 2)).toBeGreaterThan(calls.names().indexOf('sendMedia'));
  });

  it('handles the links of a message one after the other, showing which one it is at', async () => {
    const calls = new Calls();
    const links = [LINK, 'https://media.example/other.mp4'];
    const result = await executeRequest(tier, mediaRequest(links), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(result.links.map((link) => [link.link, link.outcome])).toEqual(links.map((link) => [link, 'delivered']));
    expect(calls.inputs<{ url: string }>('downloadMedia').map((input) => input.url)).toEqual(links);
    expect(calls.texts()).toEqual([ACKNOWLEDGED, linkProgressText(1, 2), UPLOADING, linkProgressText(2, 2), UPLOADING]);
    expect(calls.inputs('deleteMessage')).toHaveLength(1);
  });
});

describe('a link whose media Telegram already has', () => {
  it('is sent again by file_id, without downloading', async () => {
    const calls = new Calls();
    const media = cachedVideo();
    const result = await executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls, {
        store: { claimCachedMedia: async () => ({ status: 'cached', cacheId: 'cache-1', media }) },
      }),
      downloads: downloadsQueue(calls),
    });

    expect(result).toEqual({ outcome: 'cached', links: [{ link: LINK, outcome: 'cached', items: 1 }] });
    expect(calls.inputs('sendCachedMedia')).toEqual([
      { chatId: CHAT_ID, replyToMessageId: MESSAGE_ID, media, caption: mediaCaption(media.title, LINK) },
    ]);
    expect(calls.of('downloadMedia')).toEqual([]);
    expect(calls.inputs('deleteMessage')).toHaveLength(1);
  });

  it('is downloaded again when Telegram no longer accepts the cached file_id, which is evicted', async () => {
    const calls = new Calls();
    let claims = 0;
    const result = await executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls, {
        store: {
          claimCachedMedia: async () =>
            ++claims === 1
              ? { status: 'cached', cacheId: 'cache-1', media: cachedVideo() }
              : { status: 'lease', cacheId: 'cache-1' },
        },
        telegram: {
          sendCachedMedia: async () => {
            throw failure(FailureType.StaleFileId, 'Bad Request: wrong file identifier');
          },
        },
      }),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(result.links).toEqual([{ link: LINK, outcome: 'delivered', items: 1 }]);
    expect(calls.inputs('evictCachedMedia')).toEqual([{ cacheId: 'cache-1', fileId: 'file-id-cached' }]);
    expect(calls.names().filter((name) => name !== 'editText' && name !== 'sendText')).toEqual([
      'admitRequest',
      'claimCachedMedia',
      'sendCachedMedia',
      'evictCachedMedia',
      'claimCachedMedia',
      'downloadMedia',
      'sendMedia',
      'completeCachedMedia',
      'deleteMessage',
      'releaseQuotaSlot',
    ]);
  });

  it('tells how many items the gallery had when the album cap cut it short', async () => {
    const calls = new Calls();
    const media = { files: [sentVideo('a'), sentVideo('b')], album: true, availableItems: 7, title: 'Gallery' };
    await executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls, {
        store: { claimCachedMedia: async () => ({ status: 'cached', cacheId: 'cache-1', media }) },
      }),
    });

    expect(calls.inputs('sendText').slice(1)).toEqual([
      { chatId: CHAT_ID, text: albumCapNote(2, 7), replyToMessageId: MESSAGE_ID },
    ]);
  });
});

describe('a link another request is downloading right now', () => {
  it('waits for that download and sends its media by file_id', async () => {
    const calls = new Calls();
    const media = cachedVideo('Fetched by another request');
    const result = await duringRequest(
      tier,
      mediaRequest([LINK]),
      {
        telegram: telegramQueue(calls, {
          store: { claimCachedMedia: async () => ({ status: 'wait', cacheId: 'cache-busy' }) },
        }),
        downloads: downloadsQueue(calls),
      },
      async (handle) => {
        await calls.waitFor('claimCachedMedia');
        await handle.signal(mediaSettledSignal, { cacheId: 'cache-busy', media });
      },
    );

    expect(result.links).toEqual([{ link: LINK, outcome: 'cached', items: 1 }]);
    expect(calls.inputs('sendCachedMedia')).toEqual([expect.objectContaining({ media })]);
    expect(calls.of('downloadMedia')).toEqual([]);
  });

  it.each([
    ['failed (told without media)', true],
    ['did not end within 15 minutes', false],
  ])('claims again and downloads itself when that download %s', async (_, told) => {
    const calls = new Calls(() => tier.env.currentTimeMs());
    let claims = 0;
    const queues = {
      telegram: telegramQueue(calls, {
        store: {
          claimCachedMedia: async () =>
            ++claims === 1 ? { status: 'wait', cacheId: 'cache-busy' } : { status: 'lease', cacheId: 'cache-busy' },
        },
      }),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: { 'host-a': hostQueue(calls) },
    };
    const result = await duringRequest(tier, mediaRequest([LINK]), queues, async (handle) => {
      if (!told) return;
      await calls.waitFor('claimCachedMedia');
      await handle.signal(mediaSettledSignal, { cacheId: 'cache-busy' });
    });

    expect(result.links).toEqual([{ link: LINK, outcome: 'delivered', items: 1 }]);
    const [first, second] = calls.of('claimCachedMedia');
    expect({ waitedFullTime: second!.at - first!.at >= 15 * 60_000 }).toEqual({ waitedFullTime: !told });
    expect(calls.of('downloadMedia')).toHaveLength(1);
  });
});
