/**
 * Clips end to end: a link with a range goes through the webhook, the real workers, yt-dlp and
 * ffmpeg to the Bot API emulator, which gets only that part; a bad range is answered with its
 * problem and nothing is fetched; the cache tells a clip from the whole media.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { invalidRangeText } from '../../shared/botTexts.js';
import { mediaRequestWorkflowId, replyWorkflowId } from '../../shared/workflowIds.js';
import { useTestStack, requestIdOf as idOf } from '../support/stack.js';
import { probeUploaded } from './support/probeUploaded.js';

const stack = useTestStack();
const CLIP = 'clip-10s.mp4';

let nextChat = 91_000;
/** A link message from a chat (and user) of its own, so no quota is shared between tests. */
function linkMessage(link: string, text: string) {
  return stack.linkUpdate(link, { text, chatId: nextChat++ });
}

/** How many times a run scheduled downloadMedia, from its history. */
async function downloadsOf(workflowId: string): Promise<number> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events!.filter(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadMedia',
  ).length;
}

function fileIdOf(call: { response?: unknown }): string {
  return (call.response as { result: { video: { file_id: string } } }).result.video.file_id;
}

describe('a link with a range', () => {
  it('0:02-0:05 of a 10 s clip: a video of 3 s ± 1 s, captioned with the range', async () => {
    const link = stack.mediaUrl(CLIP);
    const update = linkMessage(link, `${link} 0:02-0:05`);
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });

    const [upload] = stack.emulator.callsTo('sendVideo');
    expect(String(upload!.params.caption)).toContain('0:02–0:05');
    const video = upload!.files.find((file) => file.fileName !== 'thumbnail.jpg');
    expect(video?.bytes).toBeDefined();
    const { seconds } = await probeUploaded(video!.bytes!, stack.dataDir);
    expect(Math.abs(seconds - 3)).toBeLessThanOrEqual(1);
  });

  it('5-2: the InvalidRange text, no request started, nothing asked of the media server', async () => {
    const link = stack.mediaUrl(CLIP);
    const update = linkMessage(link, `${link} 5-2`);
    expect((await stack.post(update)).statusCode).toBe(200);
    const key = { chatId: update.message!.chat.id, messageId: update.message!.message_id };
    await stack.client.workflow.getHandle(replyWorkflowId(key)).result();

    const texts = stack.emulator.callsTo('sendMessage').map((call) => call.params.text);
    expect(texts).toEqual([invalidRangeText('the end (0:02) is before the start (0:05)')]);
    await expect(stack.client.workflow.getHandle(mediaRequestWorkflowId(key)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect(stack.media.requestsFor(CLIP)).toBe(0);
  });

  it('a range past the end of the media: InvalidRange, its one message, nothing uploaded', async () => {
    const link = stack.mediaUrl(CLIP);
    const update = linkMessage(link, `${link} 0:05-0:30`);
    await stack.post(update);
    const error = await stack.client.workflow
      .getHandle(idOf(update))
      .result()
      .catch((reason: unknown) => reason);
    expect(String(error)).toMatch(/failed/i);
    expect(stack.emulator.callsTo('sendVideo')).toEqual([]);
    const texts = stack.emulator.callsTo('editMessageText').map((call) => String(call.params.text));
    expect(texts.at(-1)).toMatch(/^❌ I cannot cut this clip: the media lasts 0:1\d, so it has no 0:05–0:30\./);
  });
});

describe('the cache and clips', () => {
  it('the same link trimmed twice: one download, then a file_id re-send', async () => {
    const link = `${stack.media.url(CLIP)}?cache=clip-twice`;
    const first = linkMessage(link, `${link} 1-4`);
    await stack.post(first);
    await expect(stack.client.workflow.getHandle(idOf(first)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const fetched = stack.media.requestsFor(CLIP);

    const second = linkMessage(link, `/clip ${link} 0:01 0:04`);
    await stack.post(second);
    await expect(stack.client.workflow.getHandle(idOf(second)).result()).resolves.toMatchObject({
      outcome: 'cached',
    });
    expect(stack.media.requestsFor(CLIP)).toBe(fetched);
    expect(await downloadsOf(idOf(second))).toBe(0);
    const [uploaded, resent] = stack.emulator.callsTo('sendVideo');
    expect(resent!.params.video).toBe(fileIdOf(uploaded!));
    expect(resent!.files).toHaveLength(0);
  });

  it('the whole media and a clip of it: two downloads', async () => {
    const link = `${stack.media.url(CLIP)}?cache=whole-and-clip`;
    const whole = linkMessage(link, link);
    await stack.post(whole);
    await expect(stack.client.workflow.getHandle(idOf(whole)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const trimmed = linkMessage(link, `${link} 2-5`);
    await stack.post(trimmed);
    await expect(stack.client.workflow.getHandle(idOf(trimmed)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });

    expect(await downloadsOf(idOf(whole))).toBe(1);
    expect(await downloadsOf(idOf(trimmed))).toBe(1);
    const [wholeUpload, clipUpload] = stack.emulator.callsTo('sendVideo');
    expect(clipUpload!.files.length).toBeGreaterThan(0);
    const durations = await Promise.all(
      [wholeUpload!, clipUpload!].map((call) =>
        probeUploaded(call.files.find((file) => file.fileName !== 'thumbnail.jpg')!.bytes!, stack.dataDir).then(
          (probed) => probed.seconds,
        ),
      ),
    );
    expect(Math.round(durations[0]!)).toBe(10);
    expect(Math.abs(durations[1]! - 3)).toBeLessThanOrEqual(1);
  });
});
