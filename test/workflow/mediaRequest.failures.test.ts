/**
 * How a link fails: one clear message per failure type, retries only where a retry can help,
 * Telegram's `retry_after` honoured to the second, nobody told when there is nobody to tell. The
 * time-skipping server: retry backoffs (5 s for a download, `retry_after` for an upload) pass at once.
 */
import { doneSummary, failureMessage } from '../../shared/botTexts.js';
import { FailureType } from '../../shared/failures.js';
import { CHAT_ID, CLOUD_UPLOAD_LIMIT, MESSAGE_ID, mediaRequest, USER_ID } from './support/inputs.js';
import { executeRequest, failureOf } from './support/runs.js';
import {
  cachedVideo,
  Calls,
  downloaded,
  downloadsQueue,
  failure,
  hostQueue,
  telegramQueue,
} from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/clip.mp4';

describe('a failure no retry can fix', () => {
  it.each([
    [FailureType.ContentUnavailable, 'ERROR: Private video'],
    [FailureType.UnsupportedUrl, 'ERROR: Unsupported URL'],
    [FailureType.NoMediaFound, 'no file was written'],
    [FailureType.InvalidUrl, 'not an http(s) link'],
    [FailureType.BlockedAddress, 'resolves to 127.0.0.1'],
  ])('%s: one try, one message in place of the ⏳, and the run fails with that type', async (type, reason) => {
    const calls = new Calls();
    const run = executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, async () => {
        throw failure(type, reason);
      }),
    });

    const failed = await failureOf(run);
    expect({ type: failed.type, message: failed.message }).toEqual({ type, message: reason });
    expect(failed.details).toEqual([
      expect.objectContaining({ type, links: [{ link: LINK, outcome: 'failed', failureType: type }] }),
    ]);
    expect(calls.of('downloadMedia')).toHaveLength(1);
    const text = failureMessage({ type, url: LINK, limitBytes: CLOUD_UPLOAD_LIMIT });
    expect(calls.inputs('editText')).toEqual([{ chatId: CHAT_ID, messageId: 1001, text }]);
    expect(calls.inputs('sendText')).toHaveLength(1); // the ⏳ only
    // The lease on the cache entry and the quota slot are given back.
    expect(calls.inputs('releaseCachedMedia')).toEqual([{ cacheId: 'cache-1', holder: expect.any(String) }]);
    expect(calls.inputs('releaseQuotaSlot')).toEqual([{ userId: USER_ID, holder: expect.any(String) }]);
  });

  it('FileTooLarge: the message names the size and the limit', async () => {
    const calls = new Calls();
    const sizes = { sizeBytes: 80 * 1024 * 1024, limitBytes: CLOUD_UPLOAD_LIMIT };
    const run = executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, async () => {
        throw failure(FailureType.FileTooLarge, 'the smallest format is 80 MB', { details: [sizes] });
      }),
    });

    expect((await failureOf(run)).type).toBe(FailureType.FileTooLarge);
    expect(calls.inputs<{ text: string }>('editText').map((input) => input.text)).toEqual([
      failureMessage({ type: FailureType.FileTooLarge, url: LINK, ...sizes }),
    ]);
    expect(calls.texts().at(-1)).toContain('80 MB');
  });

  it('a message whose ⏳ the person deleted is replaced by a new reply', async () => {
    const calls = new Calls();
    const run = executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls, { telegram: { editText: async () => false } }),
      downloads: downloadsQueue(calls, async () => {
        throw failure(FailureType.ContentUnavailable, 'removed');
      }),
    });

    await failureOf(run);
    expect(calls.inputs('sendText').at(-1)).toEqual({
      chatId: CHAT_ID,
      replyToMessageId: MESSAGE_ID,
      text: failureMessage({ type: FailureType.ContentUnavailable, url: LINK, limitBytes: CLOUD_UPLOAD_LIMIT }),
    });
  });
});

describe('a chat the bot can no longer write to (blocked, deleted)', () => {
  it('gets no message at all, and the run fails as ChatUnavailable', async () => {
    const calls = new Calls();
    const run = executeRequest(tier, mediaRequest([LINK, 'https://media.example/other.mp4']), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: {
        'host-a': hostQueue(calls, {
          sendMedia: async () => {
            throw failure(FailureType.ChatUnavailable, 'Forbidden: bot was blocked by the user');
          },
        }),
      },
    });

    expect((await failureOf(run)).type).toBe(FailureType.ChatUnavailable);
    // Tried once, the second link not even started, and no error message nor summary after the ⏳.
    expect(calls.of('sendMedia')).toHaveLength(1);
    expect(calls.of('downloadMedia')).toHaveLength(1);
    expect(calls.of('sendText')).toHaveLength(1);
    expect(calls.inputs<{ text: string }>('editText').map((input) => input.text)).not.toContainEqual(
      expect.stringContaining('❌'),
    );
    // The upload failed: the files are removed on their host.
    expect(calls.of('cleanup').map((call) => [call.taskQueue, call.input])).toEqual([
      ['host-a', { dir: downloaded('host-a').dir }],
    ]);
  });

  it('when the ⏳ itself is refused: nothing is downloaded', async () => {
    const calls = new Calls();
    const run = executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls, {
        telegram: {
          sendText: async () => {
            throw failure(FailureType.ChatUnavailable, 'Bad Request: chat not found');
          },
        },
      }),
      downloads: downloadsQueue(calls),
    });

    expect((await failureOf(run)).type).toBe(FailureType.ChatUnavailable);
    expect(calls.names()).toEqual(['admitRequest', 'sendText', 'releaseQuotaSlot']);
  });
});

describe('a failure a retry can fix', () => {
  it('a download that failed on the network is tried again 5 s later, and delivered', async () => {
    const calls = new Calls(() => tier.env.currentTimeMs());
    let attempts = 0;
    const result = await executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, async () => {
        if (++attempts === 1) throw failure(FailureType.TransientNetwork, 'HTTP Error 503');
        return downloaded('host-a');
      }),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(result.outcome).toBe('delivered');
    const [first, second] = calls.of('downloadMedia');
    expect(second!.attempt).toBe(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(5_000);
  });

  it('two network failures of the download: the link fails with a message (the policy allows 2 tries)', async () => {
    const calls = new Calls();
    const run = executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, async () => {
        throw failure(FailureType.TransientNetwork, 'HTTP Error 503');
      }),
    });

    expect((await failureOf(run)).type).toBe(FailureType.TransientNetwork);
    expect(calls.of('downloadMedia')).toHaveLength(2);
    expect(calls.texts().at(-1)).toBe(
      failureMessage({ type: FailureType.TransientNetwork, url: LINK, limitBytes: CLOUD_UPLOAD_LIMIT }),
    );
  });

  it("an upload Telegram rate-limited is tried again after exactly its retry_after, not the policy's backoff", async () => {
    const calls = new Calls(() => tier.env.currentTimeMs());
    let attempts = 0;
    const result = await executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: {
        'host-a': hostQueue(calls, {
          sendMedia: async (input) => {
            if (++attempts === 1) {
              throw failure(FailureType.TelegramRateLimited, 'Too Many Requests: retry after 37', {
                nextRetryDelay: '37 seconds',
              });
            }
            return {
              messageIds: [2000],
              files: input.files.map(() => ({ fileId: 'f', fileUniqueId: 'u', kind: 'video' as const })),
            };
          },
        }),
      },
    });

    expect(result.outcome).toBe('delivered');
    const [first, second] = calls.of('sendMedia');
    const waited = second!.at - first!.at;
    expect(waited).toBeGreaterThanOrEqual(37_000);
    expect(waited).toBeLessThan(39_000);
  });
});

describe('a message with several links', () => {
  it('tells which link failed and why, sends the others, sums up, and fails as the failed link did', async () => {
    const calls = new Calls();
    const broken = 'https://media.example/private.mp4';
    const run = executeRequest(tier, mediaRequest([LINK, broken]), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, async (input) => {
        if (input.url === broken) throw failure(FailureType.ContentUnavailable, 'Private video');
        return downloaded('host-a');
      }),
      hosts: { 'host-a': hostQueue(calls) },
    });

    const failed = await failureOf(run);
    expect(failed.type).toBe(FailureType.ContentUnavailable);
    expect(failed.details).toEqual([
      expect.objectContaining({
        links: [
          { link: LINK, outcome: 'delivered', items: 1 },
          { link: broken, outcome: 'failed', failureType: FailureType.ContentUnavailable },
        ],
      }),
    ]);
    const reason = failureMessage({
      type: FailureType.ContentUnavailable,
      url: broken,
      limitBytes: CLOUD_UPLOAD_LIMIT,
    });
    expect(calls.inputs('sendText').at(-1)).toEqual({
      chatId: CHAT_ID,
      text: `${reason}\n(${broken})`,
      replyToMessageId: MESSAGE_ID,
    });
    expect(calls.texts().at(-1)).toBe(doneSummary(1, 2));
    expect(calls.of('sendMedia')).toHaveLength(1);
  });
});

describe('a media cache that keeps answering with file_ids Telegram rejects', () => {
  it('gives up after the third try instead of going round for ever', async () => {
    const calls = new Calls();
    const run = executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls, {
        store: { claimCachedMedia: async () => ({ status: 'cached', cacheId: 'cache-1', media: cachedVideo() }) },
        telegram: {
          sendCachedMedia: async () => {
            throw failure(FailureType.StaleFileId, 'Bad Request: wrong file identifier');
          },
        },
      }),
    });

    expect((await failureOf(run)).type).toBe(FailureType.StaleFileId);
    expect(calls.of('sendCachedMedia')).toHaveLength(3);
    expect(calls.of('evictCachedMedia')).toHaveLength(2);
  });
});

describe('a state store that does not answer', () => {
  it('does not take the bot down: the request is served without a quota slot, in the default settings', async () => {
    const calls = new Calls();
    const result = await executeRequest(
      tier,
      // Short local retries, so the store's five attempts take milliseconds.
      mediaRequest([LINK], { policies: { telegram: { initialInterval: '10 milliseconds' } } }),
      {
        telegram: telegramQueue(calls, {
          store: {
            admitRequest: async () => {
              throw new Error('SQLITE_BUSY: database is locked');
            },
          },
        }),
        downloads: downloadsQueue(calls, 'host-a'),
        hosts: { 'host-a': hostQueue(calls) },
      },
    );

    expect(result.outcome).toBe('delivered');
    expect(calls.of('admitRequest')).toHaveLength(5);
    expect(calls.inputs('downloadMedia')).toEqual([expect.objectContaining({ mode: 'video' })]);
  });
});

describe('a media cache that cannot record a delivered media', () => {
  it('does not make the link fail: the media is in the chat', async () => {
    const calls = new Calls();
    const result = await executeRequest(
      tier,
      mediaRequest([LINK], { policies: { telegram: { initialInterval: '10 milliseconds' } } }),
      {
        telegram: telegramQueue(calls, {
          store: {
            completeCachedMedia: async () => {
              throw new Error('SQLITE_FULL: database or disk is full');
            },
          },
        }),
        downloads: downloadsQueue(calls, 'host-a'),
        hosts: { 'host-a': hostQueue(calls) },
      },
    );

    expect(result).toEqual({ outcome: 'delivered', links: [{ link: LINK, outcome: 'delivered', items: 1 }] });
    expect(calls.of('completeCachedMedia')).toHaveLength(5);
    expect(calls.of('deleteMessage')).toHaveLength(1);
  });
});
