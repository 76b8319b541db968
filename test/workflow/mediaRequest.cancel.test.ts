/**
 * Cancel (the button or /cancel) while a link is downloading or uploading. The local dev server,
 * the real Temporal server: what happens here is how it delivers a cancel to a running activity
 * and waits for it (WAIT_CANCELLATION_COMPLETED), and there is no timer to skip.
 */
import { CANCELLED } from '../../shared/botTexts.js';
import { FailureType } from '../../shared/failures.js';
import type { SendMediaInput, SentMedia } from '../../shared/activityTypes.js';
import { CHAT_ID, mediaRequest, USER_ID } from './support/inputs.js';
import { duringRequest, endedCancelled } from './support/runs.js';
import {
  Calls,
  downloaded,
  downloadsQueue,
  failure,
  hostQueue,
  runUntilCancelled,
  sentVideo,
  telegramQueue,
} from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('local');
const LINK = 'https://media.example/clip.mp4';
const STATUS = { chatId: CHAT_ID, messageId: 1001 };

/**
 * A host whose upload runs until it is cancelled; `afterCancel` then decides how it ends (by
 * default it stops). `seen.at`: how many calls had been made when the upload saw the cancel.
 */
function uploadingHost(
  calls: Calls,
  seen: { at?: number },
  afterCancel?: (input: SendMediaInput) => Promise<SentMedia>,
) {
  return hostQueue(calls, {
    sendMedia: async (input) => {
      try {
        return await runUntilCancelled();
      } catch (cancel) {
        seen.at = calls.all.length;
        if (!afterCancel) throw cancel;
        return afterCancel(input);
      }
    },
  });
}

describe('a cancel before the quota has answered', () => {
  it('ends the run cancelled with nothing sent, and gives back a slot the store may have granted', async () => {
    const calls = new Calls();
    const run = duringRequest(
      tier,
      mediaRequest([LINK]),
      {
        telegram: telegramQueue(calls, { store: { admitRequest: runUntilCancelled } }),
        downloads: downloadsQueue(calls),
      },
      async (handle) => {
        await calls.waitFor('admitRequest');
        await handle.cancel();
      },
    );

    expect(await endedCancelled(run)).toBe(true);
    expect(calls.names()).toEqual(['admitRequest', 'releaseQuotaSlot']);
  });
});

describe('a cancel during the download', () => {
  it('stops the download, says Cancelled, gives the cache lease and the quota slot back, and ends the run cancelled', async () => {
    const calls = new Calls();
    let stopped = false;
    const run = duringRequest(
      tier,
      mediaRequest([LINK]),
      {
        telegram: telegramQueue(calls),
        downloads: downloadsQueue(calls, async () => {
          try {
            return await runUntilCancelled();
          } finally {
            stopped = true;
          }
        }),
      },
      async (handle) => {
        await calls.waitFor('downloadMedia');
        await handle.cancel();
      },
    );

    expect(await endedCancelled(run)).toBe(true);
    expect(stopped).toBe(true);
    expect(calls.names().slice(calls.names().indexOf('downloadMedia'))).toEqual([
      'downloadMedia',
      'releaseCachedMedia',
      'editText',
      'releaseQuotaSlot',
    ]);
    expect(calls.inputs('editText')).toEqual([{ ...STATUS, text: CANCELLED }]);
    expect(calls.inputs('releaseQuotaSlot')).toEqual([{ userId: USER_ID, holder: expect.any(String) }]);
  });
});

describe('a cancel during the upload', () => {
  it('stops an upload Telegram has not got whole, removes the files on their host, and says Cancelled', async () => {
    const calls = new Calls();
    const seen: { at?: number } = {};
    const run = duringRequest(
      tier,
      mediaRequest([LINK]),
      {
        telegram: telegramQueue(calls),
        downloads: downloadsQueue(calls, 'host-a'),
        hosts: { 'host-a': uploadingHost(calls, seen) },
      },
      async (handle) => {
        await calls.waitFor('sendMedia');
        await handle.cancel();
      },
    );

    expect(await endedCancelled(run)).toBe(true);
    // The workflow waited for the upload to stop before it cleaned up and said so.
    expect(calls.names().slice(seen.at)).toEqual(['cleanup', 'releaseCachedMedia', 'editText', 'releaseQuotaSlot']);
    expect(calls.of('cleanup').map((call) => [call.taskQueue, call.input])).toEqual([
      ['host-a', { dir: downloaded('host-a').dir }],
    ]);
    expect(calls.inputs('editText').at(-1)).toEqual({ ...STATUS, text: CANCELLED });
  });

  it('that came once Telegram had the whole file: the media is delivered and cached, and nobody reads Cancelled', async () => {
    const calls = new Calls();
    const seen: { at?: number } = {};
    const result = await duringRequest(
      tier,
      mediaRequest([LINK]),
      {
        telegram: telegramQueue(calls),
        downloads: downloadsQueue(calls, 'host-a'),
        // Telegram had every byte: the upload finishes despite the cancel.
        hosts: { 'host-a': uploadingHost(calls, seen, async () => ({ messageIds: [2000], files: [sentVideo()] })) },
      },
      async (handle) => {
        await calls.waitFor('sendMedia');
        await handle.cancel();
      },
    );

    expect(result).toEqual({ outcome: 'delivered', links: [{ link: LINK, outcome: 'delivered', items: 1 }] });
    expect(calls.texts()).not.toContain(CANCELLED);
    expect(seen.at).toBeDefined();
    expect(calls.names().slice(seen.at)).toEqual(['completeCachedMedia', 'deleteMessage', 'releaseQuotaSlot']);
  });

  it('that failed meanwhile: a cancel all the same, and the files are removed', async () => {
    const calls = new Calls();
    const run = duringRequest(
      tier,
      mediaRequest([LINK]),
      {
        telegram: telegramQueue(calls),
        downloads: downloadsQueue(calls, 'host-a'),
        hosts: {
          'host-a': uploadingHost(calls, {}, async () => {
            throw failure(FailureType.TelegramBadRequest, 'Bad Request: request was interrupted');
          }),
        },
      },
      async (handle) => {
        await calls.waitFor('sendMedia');
        await handle.cancel();
      },
    );

    expect(await endedCancelled(run)).toBe(true);
    expect(calls.of('cleanup')).toHaveLength(1);
    expect(calls.texts().at(-1)).toBe(CANCELLED);
  });
});
