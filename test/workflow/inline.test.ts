/**
 * Inline mode's workflows on the time-skipping server with stub activities: the answer to an
 * inline query (cached result or "⏳ Downloading…"), and the chosen result's run (storage-chat
 * upload, then the inline message edited into the media by the same file_id, or the failure).
 */
import type { InlineActivities } from '../../activities/index.js';
import type { CachedMedia } from '../../shared/activityTypes.js';
import { failureMessage } from '../../shared/botTexts.js';
import type { InlineMediaInput, InlineQueryInput } from '../../shared/contracts/inline.js';
import { FailureType } from '../../shared/failures.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { InlineMediaWorkflow, InlineQueryWorkflow } from '../../workflows/index.js';
import { CLOUD_UPLOAD_LIMIT } from './support/inputs.js';
import { failureOf } from './support/runs.js';
import {
  cachedVideo,
  Calls,
  downloadsQueue,
  failure,
  hostQueue,
  recorded,
  telegramQueue,
  VIDEO_FILE_ID,
} from './support/stubActivities.js';
import { useWorkflowTier, type QueueActivities } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/clip.mp4';
const USER = 77;
const STORAGE = -100_999;

function inlineQueue(calls: Calls): InlineActivities {
  return recorded(calls, {
    answerInlineQuery: async () => true,
    editInlineMedia: async () => undefined,
    editInlineText: async () => true,
  });
}

/** The store as the real one behaves for one key: a lease until the media is recorded, then cached. */
function statefulCache(initial?: CachedMedia) {
  let media = initial;
  return {
    peekCachedMedia: async () => media,
    claimCachedMedia: async () =>
      media
        ? { status: 'cached' as const, cacheId: 'cache-1', media }
        : { status: 'lease' as const, cacheId: 'cache-1' },
    completeCachedMedia: async (input: { media: CachedMedia }) => {
      media = input.media;
    },
  };
}

const queryInput: InlineQueryInput = {
  queryId: 'q-1',
  userId: USER,
  link: LINK,
  downloadResultId: 'd:1',
  cachedResultId: 'c:1',
  maxUploadBytes: CLOUD_UPLOAD_LIMIT,
  albumCap: 10,
  canDownload: true,
};

const mediaInput: InlineMediaInput = {
  inlineMessageId: 'IM-1',
  userId: USER,
  link: LINK,
  storageChatId: STORAGE,
  maxUploadBytes: CLOUD_UPLOAD_LIMIT,
  albumCap: 10,
  quota: { concurrentRequests: 2, requestsPerHour: 10 },
};

function run<T>(queues: QueueActivities, workflow: 'query' | 'media', input: object): Promise<T> {
  return tier.withWorkers(queues, () =>
    workflow === 'query'
      ? (tier.client.workflow.execute(InlineQueryWorkflow, {
          taskQueue: TELEGRAM_QUEUE,
          workflowId: tier.uniqueId('inline-query'),
          args: [input as InlineQueryInput],
        }) as Promise<T>)
      : (tier.client.workflow.execute(InlineMediaWorkflow, {
          taskQueue: TELEGRAM_QUEUE,
          workflowId: tier.uniqueId('inline-media'),
          args: [input as InlineMediaInput],
        }) as Promise<T>),
  );
}

describe('InlineQueryWorkflow', () => {
  it('answers a cached link with the cached file, looking at the cache without claiming it', async () => {
    const calls = new Calls();
    const telegram = { ...telegramQueue(calls, { store: statefulCache(cachedVideo()) }), ...inlineQueue(calls) };
    expect(await run({ telegram }, 'query', queryInput)).toEqual({ answered: 'cached' });
    expect(calls.names()).toEqual(['readChatSettings', 'peekCachedMedia', 'answerInlineQuery']);
    expect(calls.inputs('answerInlineQuery')).toEqual([
      {
        queryId: 'q-1',
        answer: { kind: 'cached', resultId: 'c:1', media: cachedVideo(), caption: expect.any(String) },
      },
    ]);
    expect(calls.all.every((call) => call.local)).toBe(true);
  });

  it('answers a new link with the "⏳ Downloading…" article, or nothing without a storage chat', async () => {
    const calls = new Calls();
    const telegram = { ...telegramQueue(calls), ...inlineQueue(calls) };
    expect(await run({ telegram }, 'query', queryInput)).toEqual({ answered: 'download' });
    expect(await run({ telegram }, 'query', { ...queryInput, queryId: 'q-2', canDownload: false })).toEqual({
      answered: 'none',
    });
    expect(calls.inputs('answerInlineQuery')).toEqual([
      { queryId: 'q-1', answer: { kind: 'download', resultId: 'd:1', link: LINK } },
      { queryId: 'q-2', answer: { kind: 'none' } },
    ]);
    expect(calls.of('claimCachedMedia')).toEqual([]);
  });
});

describe('InlineMediaWorkflow', () => {
  it('uploads a new link to the storage chat, then edits the inline message into the same file_id', async () => {
    const calls = new Calls();
    const telegram = { ...telegramQueue(calls, { store: statefulCache() }), ...inlineQueue(calls) };
    const result = await run(
      { telegram, downloads: downloadsQueue(calls, 'host-a'), hosts: { 'host-a': hostQueue(calls) } },
      'media',
      mediaInput,
    );
    expect(result).toEqual({ outcome: 'delivered', fileId: VIDEO_FILE_ID });
    expect(calls.inputs<{ chatId: number }>('sendMedia').map((input) => input.chatId)).toEqual([STORAGE]);
    expect(calls.inputs('editInlineMedia')).toEqual([
      {
        inlineMessageId: 'IM-1',
        file: { fileId: VIDEO_FILE_ID, fileUniqueId: `unique-${VIDEO_FILE_ID}`, kind: 'video' },
        caption: expect.any(String),
      },
    ]);
    // The storage chat's status message goes; the quota slot is given back.
    expect(calls.inputs<{ chatId: number }>('deleteMessage').map((input) => input.chatId)).toEqual([STORAGE]);
    expect(calls.inputs('releaseQuotaSlot')).toEqual([{ userId: USER, holder: expect.any(String) }]);
    expect(calls.of('editInlineText')).toEqual([]);
  });

  it('puts cached media into the inline message at once: no download, no upload', async () => {
    const calls = new Calls();
    const telegram = { ...telegramQueue(calls, { store: statefulCache(cachedVideo()) }), ...inlineQueue(calls) };
    const result = await run({ telegram, downloads: downloadsQueue(calls, 'host-a') }, 'media', mediaInput);
    expect(result).toEqual({ outcome: 'cached', fileId: 'file-id-cached' });
    expect(calls.of('downloadMedia')).toEqual([]);
    expect(calls.of('sendText')).toEqual([]);
  });

  it('shows a failing link as the inline message text, and fails with its type', async () => {
    const calls = new Calls();
    const telegram = { ...telegramQueue(calls, { store: statefulCache() }), ...inlineQueue(calls) };
    const failed = await failureOf(
      run(
        {
          telegram,
          downloads: downloadsQueue(calls, async () => {
            throw failure(FailureType.ContentUnavailable, 'ERROR: Private video');
          }),
        },
        'media',
        mediaInput,
      ),
    );
    expect(failed.type).toBe(FailureType.ContentUnavailable);
    expect(calls.inputs('editInlineText')).toEqual([
      {
        inlineMessageId: 'IM-1',
        text: failureMessage({ type: FailureType.ContentUnavailable, url: LINK, limitBytes: CLOUD_UPLOAD_LIMIT }),
      },
    ]);
    expect(calls.of('editInlineMedia')).toEqual([]);
    expect(calls.inputs('releaseCachedMedia')).toEqual([{ cacheId: 'cache-1', holder: expect.any(String) }]);
  });

  it('under a spent quota, says when to try again in the inline message and downloads nothing', async () => {
    const calls = new Calls();
    const refusal = { reason: 'hourly' as const, sent: 10, limit: 10, retryAfterMs: 60_000 };
    const telegram = {
      ...telegramQueue(calls, {
        store: {
          admitRequest: async () => ({ decision: { granted: false, ...refusal }, settings: { mode: 'video' } }),
        },
      }),
      ...inlineQueue(calls),
    };
    const failed = await failureOf(run({ telegram, downloads: downloadsQueue(calls, 'host-a') }, 'media', mediaInput));
    expect(failed.type).toBe(FailureType.QuotaExceeded);
    expect(calls.of('editInlineText')).toHaveLength(1);
    expect(calls.of('downloadMedia')).toEqual([]);
  });
});
