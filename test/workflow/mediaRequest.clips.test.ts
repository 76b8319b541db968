/**
 * A link with a range (`link 1:30-2:45`): the range reaches the cache key, the download and the
 * caption, the status shows it, and a range the media cannot serve ends with its one message.
 */
import { invalidRangeText, mediaCaption } from '../../shared/botTexts.js';
import { statusQuery } from '../../shared/contracts/mediaRequest.js';
import { FailureType } from '../../shared/failures.js';
import { CHAT_ID, mediaRequest } from './support/inputs.js';
import { duringRequest, executeRequest, failureOf } from './support/runs.js';
import { Calls, downloaded, downloadsQueue, failure, hostQueue, telegramQueue } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/clip.mp4';
const WHOLE = 'https://media.example/whole.mp4';
const CLIP = { startSeconds: 90, endSeconds: 165 };

describe('a link with a range', () => {
  it('is claimed, downloaded and captioned as that part; a link without one as before', async () => {
    const calls = new Calls();
    const result = await executeRequest(tier, mediaRequest([LINK, WHOLE], { clips: [CLIP, null] }), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: { 'host-a': hostQueue(calls) },
    });

    expect(result.outcome).toBe('delivered');
    const keys = calls.inputs<{ key: Record<string, unknown> }>('claimCachedMedia').map((claim) => claim.key);
    expect(keys[0]).toMatchObject({ url: LINK, clip: CLIP });
    expect(keys[1]).not.toHaveProperty('clip');
    const downloads = calls.inputs<Record<string, unknown>>('downloadMedia');
    expect(downloads[0]).toMatchObject({ url: LINK, clip: CLIP });
    expect(downloads[1]).not.toHaveProperty('clip');
    expect(calls.inputs<{ caption: string }>('sendMedia').map((upload) => upload.caption)).toEqual([
      mediaCaption('A clip', LINK, CLIP),
      mediaCaption('A clip', WHOLE),
    ]);
    expect(mediaCaption('A clip', LINK, CLIP)).toContain('1:30–2:45');
  });

  it('shows the range in the status while it is worked on', async () => {
    const calls = new Calls();
    let finishDownload = () => undefined as void;
    const downloadHeld = new Promise<void>((resolve) => (finishDownload = resolve));
    let seen: unknown;
    await duringRequest(
      tier,
      mediaRequest([LINK], { clips: [CLIP] }),
      {
        telegram: telegramQueue(calls),
        downloads: downloadsQueue(calls, async () => {
          await downloadHeld;
          return downloaded('host-a');
        }),
        hosts: { 'host-a': hostQueue(calls) },
      },
      async (handle) => {
        await calls.waitFor('downloadMedia');
        seen = await handle.query(statusQuery);
        finishDownload();
      },
    );

    expect(seen).toMatchObject({ phase: 'downloading', link: 1, links: 1, clip: '1:30–2:45' });
  });

  it('beyond the media: InvalidRange, one try, its one message, nothing uploaded', async () => {
    const calls = new Calls();
    const reason = 'the media lasts 0:10, so it has no 1:30–2:45';
    const run = executeRequest(tier, mediaRequest([LINK], { clips: [CLIP] }), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, async () => {
        throw failure(FailureType.InvalidRange, reason);
      }),
      hosts: { 'host-a': hostQueue(calls) },
    });

    const failed = await failureOf(run);
    expect({ type: failed.type, message: failed.message }).toEqual({ type: FailureType.InvalidRange, message: reason });
    expect(calls.of('downloadMedia')).toHaveLength(1);
    expect(calls.of('sendMedia')).toEqual([]);
    expect(calls.inputs('editText')).toEqual([{ chatId: CHAT_ID, messageId: 1001, text: invalidRangeText(reason) }]);
  });
});
