/**
 * PlaylistWorkflow on the time-skipping server with stub activities: the pace of its sends in a
 * group (Telegram's 20 messages a minute, in workflow time), a failed entry reported in the
 * summary while the others go on, and a cancel between entries that starts no further child.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { PlaylistWorkflow } from '../../workflows/index.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { FailureType } from '../../shared/failures.js';
import { failureMessage } from '../../shared/botTexts.js';
import type { DownloadInput, SendMediaInput } from '../../shared/activityTypes.js';
import {
  playlistEntryWorkflowId,
  type PlaylistInput,
  type PlaylistListing,
  type PlaylistResult,
} from '../../shared/contracts/playlist.js';
import { CLOUD_UPLOAD_LIMIT, USER_ID } from './support/inputs.js';
import { endedCancelled, failureOf } from './support/runs.js';
import { Calls, downloaded, failure, hostQueue, recorded, telegramQueue, type Call } from './support/stubActivities.js';
import { useWorkflowTier, type QueueActivities } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const GROUP = -100_200;
const PRIVATE = 4242;
const PAGE = 'https://media.example/list.html';
const entryUrl = (index: number) => `https://media.example/list/${index}.mp4`;

function playlist(overrides: Partial<PlaylistInput> = {}): PlaylistInput {
  return {
    chatId: PRIVATE,
    messageId: 10,
    userId: USER_ID,
    link: PAGE,
    maxItems: 20,
    maxUploadBytes: CLOUD_UPLOAD_LIMIT,
    albumCap: 10,
    quota: { concurrentRequests: 2, requestsPerHour: 100 },
    ...overrides,
  };
}

/** The downloads worker: a listing of `count` entries, and downloads answered by `download`. */
function downloadsWith(calls: Calls, count: number, download?: (input: DownloadInput) => Promise<unknown>) {
  return recorded(calls, {
    listPlaylist: async (input: { url: string; items: number }): Promise<PlaylistListing> => ({
      availableItems: count,
      entries: Array.from({ length: Math.min(count, input.items) }, (_, i) => ({
        index: i + 1,
        url: entryUrl(i + 1),
        title: `Entry ${i + 1}`,
      })),
    }),
    downloadMedia: async (input: DownloadInput) => (download ? download(input) : downloaded('host-a')),
  });
}

function run(input: PlaylistInput, queues: QueueActivities): Promise<PlaylistResult> {
  return tier.withWorkers(queues, () =>
    tier.client.workflow.execute(PlaylistWorkflow, {
      taskQueue: TELEGRAM_QUEUE,
      workflowId: tier.uniqueId('playlist'),
      args: [input],
    }),
  );
}

/** The entry (1-based position) a download or upload is for. */
const entryOf = (url: string) => Number(/\/(\d+)\.mp4$/.exec(url)?.[1]);

describe('the pace of a playlist in a group', () => {
  it('20 entries, two of them albums of 5: never more than 20 messages in any minute of workflow time', async () => {
    const calls = new Calls(() => tier.env.currentTimeMs());
    const albums = new Set([1, 2]);
    const result = await run(playlist({ chatId: GROUP }), {
      telegram: telegramQueue(calls),
      downloads: downloadsWith(calls, 20, async (input) =>
        downloaded('host-a', albums.has(entryOf(input.url)) ? { items: 5 } : {}),
      ),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(result.delivered).toBe(20);
    const uploads = calls.of('sendMedia');
    expect(uploads.map((call) => entryOf(captionLink(call)))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Each message at the time its upload was made (an album's items all at once).
    const sends = uploads.flatMap((call) => (call.input as SendMediaInput).files.map(() => call.at));
    expect(sends).toHaveLength(28);
    const busiestMinute = Math.max(
      ...sends.map((start) => sends.filter((at) => at >= start && at < start + 60_000).length),
    );
    expect(busiestMinute).toBeLessThanOrEqual(20);
    expect(busiestMinute).toBeGreaterThanOrEqual(18);
    // Paced, not stalled: about 3 s a message (27 gaps' worth of messages before the last).
    expect(sends.at(-1)! - sends[0]!).toBeGreaterThanOrEqual(26 * 3_000);
    expect(sends.at(-1)! - sends[0]!).toBeLessThan(30 * 3_000 + 10_000);
  });

  it('in a private chat: about a message a second', async () => {
    const calls = new Calls(() => tier.env.currentTimeMs());
    await run(playlist({ range: { kind: 'span', from: 1, to: 5 } }), {
      telegram: telegramQueue(calls),
      downloads: downloadsWith(calls, 12),
      hosts: { 'host-a': hostQueue(calls) },
    });
    const at = calls.of('sendMedia').map((call) => call.at);
    expect(at).toHaveLength(5);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(1_000);
  });
});

describe('a 429 on an entry', () => {
  it("waits Telegram's retry_after before the upload's next attempt, and the playlist goes on", async () => {
    const calls = new Calls(() => tier.env.currentTimeMs());
    let limited = false;
    const result = await run(playlist({ range: { kind: 'span', from: 1, to: 3 } }), {
      telegram: telegramQueue(calls),
      downloads: downloadsWith(calls, 12),
      hosts: {
        'host-a': hostQueue(calls, {
          sendMedia: async (input) => {
            if (entryOf(String(input.caption).split('\n').at(-1)!) === 2 && !limited) {
              limited = true;
              throw failure(FailureType.TelegramRateLimited, 'Too Many Requests: retry after 30', {
                nextRetryDelay: '30 seconds',
              });
            }
            return { messageIds: [1], files: [{ fileId: 'f', fileUniqueId: 'u', kind: 'video' }] };
          },
        }),
      },
    });

    expect(result.delivered).toBe(3);
    const uploads = calls.of('sendMedia');
    expect(uploads.map((call) => [entryOf(captionLink(call)), call.attempt])).toEqual([
      [1, 1],
      [2, 1],
      [2, 2],
      [3, 1],
    ]);
    expect(uploads[2]!.at - uploads[1]!.at).toBeGreaterThanOrEqual(30_000);
  });
});

describe('a failed entry', () => {
  it('is reported in the summary with its reason, and the other entries are delivered', async () => {
    const calls = new Calls();
    const result = await run(playlist({ range: { kind: 'span', from: 2, to: 5 } }), {
      telegram: telegramQueue(calls),
      downloads: downloadsWith(calls, 12, async (input) => {
        if (entryOf(input.url) === 3)
          throw failure(FailureType.FileTooLarge, 'the file is 90000000 bytes, the upload limit is 52428800 bytes');
        return downloaded('host-a');
      }),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(result).toEqual({
      entries: [
        { index: 2, url: entryUrl(2), outcome: 'delivered', items: 1 },
        {
          index: 3,
          url: entryUrl(3),
          outcome: 'failed',
          failureType: FailureType.FileTooLarge,
          reason: 'the file is 90000000 bytes, the upload limit is 52428800 bytes',
        },
        { index: 4, url: entryUrl(4), outcome: 'delivered', items: 1 },
        { index: 5, url: entryUrl(5), outcome: 'delivered', items: 1 },
      ],
      delivered: 3,
      failed: 1,
      leftOut: 0,
      missing: [],
    });
    expect(calls.of('sendMedia').map((call) => entryOf(captionLink(call)))).toEqual([2, 4, 5]);
    const texts = calls.texts();
    expect(texts).toEqual(
      expect.arrayContaining([
        '⏳ Playlist: item 1 of 4…',
        '⏳ Playlist: item 2 of 4…',
        '⏳ Playlist: item 3 of 4…',
        '⏳ Playlist: item 4 of 4…',
      ]),
    );
    expect(texts.at(-1)).toBe('✅ 3 of 4 playlist items sent.\n❌ item 3: too large to send');
    // The entries share the playlist's status message: one "⏳" for the whole playlist, never deleted.
    expect(calls.of('sendText')).toHaveLength(1);
    expect(calls.of('deleteMessage')).toHaveLength(0);
    // Admitted once, for the four entries, and the slot given back at the end.
    expect(calls.inputs<{ links: number }>('admitRequest')).toEqual([expect.objectContaining({ links: 4 })]);
    expect(calls.names().at(-1)).toBe('releaseQuotaSlot');
  });
});

describe('a cancel after the second entry', () => {
  it('starts no third child, says so in the status, and ends the playlist cancelled', async () => {
    const calls = new Calls();
    const workflowId = tier.uniqueId('playlist');
    const cancelled = await tier.withWorkers(
      {
        telegram: telegramQueue(calls),
        downloads: downloadsWith(calls, 12),
        hosts: { 'host-a': hostQueue(calls) },
      },
      async () => {
        // A group: 3 s between entries, in real time while the test does not await the result.
        const handle = await tier.client.workflow.start(PlaylistWorkflow, {
          taskQueue: TELEGRAM_QUEUE,
          workflowId,
          args: [playlist({ chatId: GROUP })],
        });
        // The second entry is in the chat and recorded in the cache: its child has ended.
        await calls.waitFor('completeCachedMedia', 2);
        await handle.cancel();
        return endedCancelled(handle.result());
      },
    );

    expect(cancelled).toBe(true);
    expect(calls.of('downloadMedia')).toHaveLength(2);
    expect(calls.of('sendMedia')).toHaveLength(2);
    await expect(tier.client.workflow.getHandle(playlistEntryWorkflowId(workflowId, 3)).describe()).rejects.toThrow(
      WorkflowNotFoundError,
    );
    await expect(
      tier.client.workflow.getHandle(playlistEntryWorkflowId(workflowId, 2)).result(),
    ).resolves.toMatchObject({ outcome: 'delivered' });
    expect(calls.texts().at(-1)).toBe('🚫 Cancelled: 2 of 12 playlist items sent.');
    expect(calls.names().at(-1)).toBe('releaseQuotaSlot');
  });
});

/** The entry link in an upload's caption (the title, then the link). */
function captionLink(call: Call): string {
  return String((call.input as SendMediaInput).caption)
    .split('\n')
    .at(-1)!;
}

describe('what the range and the listing allow', () => {
  it('a range asking for more than MAX_PLAYLIST_ITEMS: the first of it, and the summary says how many were left out', async () => {
    const calls = new Calls();
    const result = await run(playlist({ maxItems: 3, range: { kind: 'span', from: 2, to: 10 } }), {
      telegram: telegramQueue(calls),
      downloads: downloadsWith(calls, 12),
      hosts: { 'host-a': hostQueue(calls) },
    });
    expect(result).toMatchObject({ delivered: 3, leftOut: 6, missing: [] });
    expect(calls.of('sendMedia').map((call) => entryOf(captionLink(call)))).toEqual([2, 3, 4]);
    // Listed only as far as the range reaches.
    expect(calls.inputs<{ items: number }>('listPlaylist')).toEqual([{ url: PAGE, items: 10 }]);
    expect(calls.texts().at(-1)).toBe(
      '✅ All 3 playlist items sent.\nℹ️ 6 more asked for were left out: at most 3 items per playlist.',
    );
  });

  it('a range past the end of the playlist: nothing downloaded, the status says what the playlist has', async () => {
    const calls = new Calls();
    const failed = await failureOf(
      run(playlist({ range: { kind: 'span', from: 13, to: 15 } }), {
        telegram: telegramQueue(calls),
        downloads: downloadsWith(calls, 12),
      }),
    );
    expect(failed.type).toBe(FailureType.NoMediaFound);
    expect(calls.of('downloadMedia')).toHaveLength(0);
    expect(calls.of('admitRequest')).toHaveLength(0);
    expect(calls.texts().at(-1)).toBe('❌ The playlist has 12 entries: none of 13-15 is in it.');
  });

  it('a link the listing cannot read: its failure message, and the run fails with its type', async () => {
    const calls = new Calls();
    const failed = await failureOf(
      run(playlist(), {
        telegram: telegramQueue(calls),
        downloads: recorded(calls, {
          listPlaylist: async (): Promise<PlaylistListing> => {
            throw failure(FailureType.UnsupportedUrl, 'Unsupported URL: https://media.example/list.html');
          },
        }),
      }),
    );
    expect(failed.type).toBe(FailureType.UnsupportedUrl);
    expect(calls.of('listPlaylist')).toHaveLength(1);
    expect(calls.texts()).toEqual([
      '⏳ Got it, reading the playlist…',
      failureMessage({
        type: FailureType.UnsupportedUrl,
        reason: 'Unsupported URL: https://media.example/list.html',
        url: PAGE,
        limitBytes: CLOUD_UPLOAD_LIMIT,
      }),
    ]);
  });

  it('a user over the quota: refused once for the whole playlist, no entry started', async () => {
    const calls = new Calls();
    const failed = await failureOf(
      run(playlist({ range: { kind: 'span', from: 1, to: 5 } }), {
        telegram: telegramQueue(calls, {
          store: {
            admitRequest: async () => ({
              decision: { granted: false, reason: 'concurrent', running: 2, limit: 2 },
              settings: { mode: 'video' },
            }),
          },
        }),
        downloads: downloadsWith(calls, 12),
      }),
    );
    expect(failed.type).toBe(FailureType.QuotaExceeded);
    expect(calls.inputs<{ links: number }>('admitRequest')).toEqual([expect.objectContaining({ links: 5 })]);
    expect(calls.of('downloadMedia')).toHaveLength(0);
    expect(calls.of('releaseQuotaSlot')).toHaveLength(0);
    expect(calls.texts().at(-1)).toBe('You already have 2 downloads running — send the link again when one finishes.');
  });
});
