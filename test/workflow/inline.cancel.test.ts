/**
 * The Cancel button of an inline "⏳ Downloading…" message, pressed while the link downloads. The
 * local dev server (a real cancel of a running activity, no timer to skip): the webhook signals
 * the press (inlineCancelSignal) and the run answers it. The requester's press cancels the work
 * and the inline message reads Cancelled; anyone else's press is refused and the run delivers.
 */
import type { InlineActivities } from '../../activities/index.js';
import { CANCELLED, cancelAnswer } from '../../shared/botTexts.js';
import { inlineCancelSignal, type InlineMediaInput } from '../../shared/contracts/inline.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { InlineMediaWorkflow } from '../../workflows/index.js';
import { CLOUD_UPLOAD_LIMIT } from './support/inputs.js';
import { endedCancelled } from './support/runs.js';
import {
  Calls,
  downloaded,
  downloadsQueue,
  hostQueue,
  recorded,
  runUntilCancelled,
  telegramQueue,
  VIDEO_FILE_ID,
} from './support/stubActivities.js';
import { useWorkflowTier, type QueueActivities } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('local');
const LINK = 'https://media.example/slow.mp4';
const USER = 77;
const STRANGER = 78;
const STORAGE = -100_999;

const input: InlineMediaInput = {
  inlineMessageId: 'IM-1',
  userId: USER,
  link: LINK,
  storageChatId: STORAGE,
  maxUploadBytes: CLOUD_UPLOAD_LIMIT,
  albumCap: 10,
  quota: { concurrentRequests: 2, requestsPerHour: 10 },
};

function inlineQueue(calls: Calls): InlineActivities {
  return recorded(calls, {
    answerInlineQuery: async () => true,
    editInlineMedia: async () => undefined,
    editInlineText: async () => true,
  });
}

/** Starts the run, lets `during` press buttons while it runs, and waits for how it ends. */
function pressDuring(
  queues: QueueActivities,
  during: (press: (userId: number, callbackQueryId: string, language?: 'de') => Promise<void>) => Promise<void>,
): Promise<unknown> {
  return tier.withWorkers(queues, async () => {
    const handle = await tier.client.workflow.start(InlineMediaWorkflow, {
      taskQueue: TELEGRAM_QUEUE,
      workflowId: tier.uniqueId('inline-media'),
      args: [input],
    });
    await during((userId, callbackQueryId, language) =>
      handle.signal(inlineCancelSignal, { userId, callbackQueryId, ...(language ? { language } : {}) }),
    );
    return handle.result();
  });
}

describe('the Cancel button of an inline message', () => {
  it("the requester's press answers Cancelled, stops the download, and the inline message reads Cancelled", async () => {
    const calls = new Calls();
    let stopped = false;
    const telegram = { ...telegramQueue(calls), ...inlineQueue(calls) };
    const run = pressDuring(
      {
        telegram,
        downloads: downloadsQueue(calls, async () => {
          try {
            return await runUntilCancelled();
          } finally {
            stopped = true;
          }
        }),
        hosts: { 'host-a': hostQueue(calls) },
      },
      async (press) => {
        await calls.waitFor('downloadMedia');
        await press(USER, 'cb-mine');
      },
    );

    expect(await endedCancelled(run)).toBe(true);
    expect(stopped).toBe(true);
    expect(calls.inputs('answerButton')).toEqual([{ callbackQueryId: 'cb-mine', text: CANCELLED }]);
    expect(calls.inputs('editInlineText')).toEqual([{ inlineMessageId: 'IM-1', text: CANCELLED }]);
    // Nothing is uploaded after the press, and nothing replaces the inline message.
    expect(calls.of('sendMedia')).toEqual([]);
    expect(calls.of('editInlineMedia')).toEqual([]);
    // The cleanup still runs: the storage chat's status message, the cache lease, the quota slot.
    expect(calls.inputs<{ chatId: number }>('deleteMessage').map((call) => call.chatId)).toEqual([STORAGE]);
    expect(calls.inputs('releaseCachedMedia')).toEqual([{ cacheId: 'cache-1', holder: expect.any(String) }]);
    expect(calls.inputs('releaseQuotaSlot')).toEqual([{ userId: USER, holder: expect.any(String) }]);
  });

  it("someone else's press is answered with the refusal (in their language) and the run goes on and delivers", async () => {
    const calls = new Calls();
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let cached: Parameters<ReturnType<typeof telegramQueue>['completeCachedMedia']>[0]['media'] | undefined;
    const telegram = {
      ...telegramQueue(calls, {
        store: {
          claimCachedMedia: async () =>
            cached
              ? { status: 'cached' as const, cacheId: 'cache-1', media: cached }
              : { status: 'lease' as const, cacheId: 'cache-1' },
          completeCachedMedia: async ({ media }) => {
            cached = media;
          },
        },
      }),
      ...inlineQueue(calls),
    };
    const run = pressDuring(
      {
        telegram,
        downloads: downloadsQueue(calls, async () => {
          await gate;
          return downloaded('host-a');
        }),
        hosts: { 'host-a': hostQueue(calls) },
      },
      async (press) => {
        await calls.waitFor('downloadMedia');
        await press(STRANGER, 'cb-stranger', 'de');
        await calls.waitFor('answerButton');
        openGate();
      },
    );

    expect(await run).toEqual({ outcome: 'delivered', fileId: VIDEO_FILE_ID });
    expect(calls.inputs('answerButton')).toEqual([{ callbackQueryId: 'cb-stranger', text: cancelAnswer(0, 1, 'de') }]);
    expect(cancelAnswer(0, 1, 'de')).not.toBe(cancelAnswer(0, 1));
    // The refusal came before the upload; the run went on to upload and edit the inline message.
    const names = calls.names();
    expect(names.indexOf('answerButton')).toBeLessThan(names.indexOf('sendMedia'));
    expect(calls.inputs<{ chatId: number }>('sendMedia').map((call) => call.chatId)).toEqual([STORAGE]);
    expect(calls.inputs('editInlineMedia')).toEqual([
      {
        inlineMessageId: 'IM-1',
        file: expect.objectContaining({ fileId: VIDEO_FILE_ID }),
        caption: expect.any(String),
      },
    ]);
    expect(calls.of('editInlineText')).toEqual([]);
  });
});
