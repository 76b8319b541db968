/**
 * The sender's quota: a slot first, or a refusal that says when to try again; the slot given back
 * however the request ends. The store's arithmetic is unit-tested (quotaWindow); here the
 * workflow's side of it. The time-skipping server, as the other media request tests (no timer here).
 */
import { quotaRefusalText } from '../../shared/botTexts.js';
import { FailureType } from '../../shared/failures.js';
import type { QuotaDecision } from '../../shared/quotaWindow.js';
import { CHAT_ID, MESSAGE_ID, mediaRequest, USER_ID } from './support/inputs.js';
import { executeRequest, failureOf } from './support/runs.js';
import { Calls, downloadsQueue, failure, hostQueue, telegramQueue } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/clip.mp4';

/** A telegram queue whose store answers the quota with `decision`. */
function refusingQueue(calls: Calls, decision: QuotaDecision) {
  return telegramQueue(calls, {
    store: { admitRequest: async () => ({ decision, settings: { mode: 'video' } }) },
  });
}

describe('a request over its sender’s quota', () => {
  it.each<[string, QuotaDecision & { granted: false }]>([
    ['too many requests running', { granted: false, reason: 'concurrent', running: 2, limit: 2 }],
    [
      'too many links in the last hour',
      { granted: false, reason: 'hourly', sent: 20, limit: 20, retryAfterMs: 17 * 60_000 + 5_000 },
    ],
  ])('%s: is refused with when to try again, downloads nothing, and fails as QuotaExceeded', async (_, refusal) => {
    const calls = new Calls();
    const run = executeRequest(tier, mediaRequest([LINK, 'https://media.example/other.mp4']), {
      telegram: refusingQueue(calls, refusal),
      downloads: downloadsQueue(calls),
    });

    const failed = await failureOf(run);
    expect(failed.type).toBe(FailureType.QuotaExceeded);
    expect(failed.details).toEqual([
      expect.objectContaining({
        quota: refusal,
        links: [
          { link: LINK, outcome: 'failed', failureType: FailureType.QuotaExceeded },
          { link: 'https://media.example/other.mp4', outcome: 'failed', failureType: FailureType.QuotaExceeded },
        ],
      }),
    ]);
    // No ⏳, no slot to give back: the refusal is the only thing the run does.
    expect(calls.names()).toEqual(['admitRequest', 'sendText']);
    expect(calls.inputs('sendText')).toEqual([
      { chatId: CHAT_ID, text: quotaRefusalText(refusal), replyToMessageId: MESSAGE_ID },
    ]);
  });
});

describe('a request within its sender’s quota', () => {
  it('asks for one slot with its links, and gives it back also when it fails', async () => {
    const calls = new Calls();
    const run = executeRequest(tier, mediaRequest([LINK, 'https://media.example/other.mp4']), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, async () => {
        throw failure(FailureType.ContentUnavailable, 'Private video');
      }),
    });

    await failureOf(run);
    const [asked] = calls.inputs<{ holder: string }>('admitRequest');
    expect(asked).toEqual({
      chatId: CHAT_ID,
      userId: USER_ID,
      holder: expect.any(String),
      links: 2,
      limits: { concurrentRequests: 2, requestsPerHour: 20 },
    });
    expect(calls.inputs('releaseQuotaSlot')).toEqual([{ userId: USER_ID, holder: asked!.holder }]);
    expect(calls.names().at(-1)).toBe('releaseQuotaSlot');
  });

  it('counts against the chat when the message has no sender (a channel post)', async () => {
    const calls = new Calls();
    await executeRequest(tier, mediaRequest([LINK], { userId: undefined }), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(calls.inputs('admitRequest')).toEqual([expect.objectContaining({ userId: CHAT_ID })]);
    expect(calls.inputs('releaseQuotaSlot')).toEqual([expect.objectContaining({ userId: CHAT_ID })]);
  });
});

describe('a bot without quotas', () => {
  it('reads the chat’s settings in the same call, and has no slot to give back', async () => {
    const calls = new Calls();
    const result = await executeRequest(tier, mediaRequest([LINK], { quota: undefined }), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(result.outcome).toBe('delivered');
    expect(calls.inputs('admitRequest')).toEqual([
      { chatId: CHAT_ID, userId: USER_ID, holder: expect.any(String), links: 1, limits: undefined },
    ]);
    expect(calls.of('releaseQuotaSlot')).toEqual([]);
  });
});
