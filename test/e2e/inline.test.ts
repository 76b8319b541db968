/**
 * Inline mode end to end: inline updates queued in the Bot API emulator go through the webhook
 * to the real workers, yt-dlp and ffmpeg; the emulator gets answerInlineQuery, the upload to the
 * storage chat and editMessageMedia (or editMessageText) by inline_message_id.
 */
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { failureMessage } from '../../shared/botTexts.js';
import { inlineMediaWorkflowId, inlineQueryWorkflowId } from '../../shared/contracts/inline.js';
import { FailureType } from '../../shared/failures.js';
import { inlineResultId } from '../../src/telegram/inlineUpdates.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { probeUploaded } from './support/probeUploaded.js';

const STORAGE = -100_424_242;
const USER = 31_001;
const STRANGER = 31_999;

let stack: TestStack;
let api: Api;
let offset = 0;

beforeAll(async () => {
  stack = await startTestStack({ STORAGE_CHAT_ID: String(STORAGE), ALLOWED_CHAT_IDS: `${USER},-100500` });
  api = new Api(stack.emulator.token, { apiRoot: stack.emulator.apiRoot });
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => {
  stack.emulator.reset();
  stack.media.reset();
  offset = 0;
});

/** Takes the updates the emulator queued (as long polling would) and posts them to the webhook, as Telegram would. */
async function deliverQueued(): Promise<Update[]> {
  const updates = await api.getUpdates({ offset });
  for (const update of updates) {
    offset = update.update_id + 1;
    expect((await stack.post(update)).statusCode).toBe(200);
  }
  return updates;
}

/** An inline query for `link` from `userId`, answered by its workflow; returns its id. */
async function ask(link: string, userId = USER): Promise<string> {
  const queryId = stack.emulator.queueInlineQuery({ userId, query: link });
  await deliverQueued();
  await stack.client.workflow.getHandle(inlineQueryWorkflowId(queryId)).result();
  return queryId;
}

/** Picks the "⏳ Downloading…" result and waits for its run to end (resolved or rejected). */
async function choose(queryId: string, link: string): Promise<{ inlineMessageId: string; outcome: unknown }> {
  const inlineMessageId = stack.emulator.chooseInlineResult({ queryId, resultId: inlineResultId('download', link) })!;
  expect(inlineMessageId).toBeDefined();
  await deliverQueued();
  const outcome = await stack.client.workflow
    .getHandle(inlineMediaWorkflowId(inlineMessageId))
    .result()
    .catch((error: unknown) => error);
  return { inlineMessageId, outcome };
}

function answerOf(queryId: string): Array<Record<string, unknown>> {
  const call = stack.emulator.callsTo('answerInlineQuery').find((c) => c.params.inline_query_id === queryId);
  expect(call?.failed).toBe(false);
  return call!.params.results as Array<Record<string, unknown>>;
}

describe('inline mode', () => {
  it('a new link: "⏳ Downloading…", then a storage-chat upload and editMessageMedia with the same file_id', async () => {
    const link = stack.mediaUrl('clip.mp4');
    const queryId = await ask(link);
    const [result] = answerOf(queryId);
    expect(result).toMatchObject({ type: 'article', id: inlineResultId('download', link) });

    const { inlineMessageId, outcome } = await choose(queryId, link);
    const [upload] = stack.emulator.callsTo('sendVideo');
    expect(upload?.params.chat_id).toBe(STORAGE);
    const fileId = (upload!.response as { result: { video: { file_id: string } } }).result.video.file_id;
    expect(outcome).toEqual({ outcome: 'delivered', fileId });
    const [edit] = stack.emulator.callsTo('editMessageMedia');
    expect(edit?.params.inline_message_id).toBe(inlineMessageId);
    expect(stack.emulator.inlineMessage(inlineMessageId)?.media).toMatchObject({ type: 'video', file_id: fileId });
    // Real bytes went to the storage chat: ffprobe reads a video in them.
    const video = upload!.files.find((file) => file.fileName !== 'thumbnail.jpg');
    expect((await probeUploaded(video!.bytes!, stack.dataDir)).video).toBeDefined();
    // The storage chat's status message is gone; only the media stays there.
    expect(stack.emulator.messagesIn(STORAGE).map((message) => Boolean(message.video))).toEqual([true]);
  });

  it('a cached link: a cached video result by file_id, nothing downloaded', async () => {
    const link = stack.mediaUrl('clip.mp4');
    await choose(await ask(link), link);
    const fileId = stack.emulator.inlineMessage(
      stack.emulator.callsTo('editMessageMedia')[0]!.params.inline_message_id as string,
    )!.media!.file_id;
    const requestsBefore = stack.media.requestsFor('clip.mp4');

    const queryId = await ask(link);
    expect(answerOf(queryId)).toEqual([
      expect.objectContaining({ type: 'video', id: inlineResultId('cached', link), video_file_id: fileId }),
    ]);
    expect(stack.media.requestsFor('clip.mp4')).toBe(requestsBefore);
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(1);
  });

  it('a failing link: the inline message shows the failure text', async () => {
    stack.media.always('missing.mp4', 404);
    const link = stack.mediaUrl('missing.mp4');
    const { inlineMessageId, outcome } = await choose(await ask(link), link);
    expect(String(outcome)).toMatch(/failed/i);
    expect(stack.emulator.inlineMessage(inlineMessageId)).toEqual({
      text: failureMessage({ type: FailureType.ContentUnavailable, url: link, limitBytes: 0 }),
    });
    expect(stack.emulator.callsTo('editMessageMedia')).toEqual([]);
  });

  it('an inline query from a stranger under the allowlist: no answer, no workflow', async () => {
    const queryId = stack.emulator.queueInlineQuery({ userId: STRANGER, query: stack.mediaUrl('clip.mp4') });
    await deliverQueued();
    await expect(stack.client.workflow.getHandle(inlineQueryWorkflowId(queryId)).describe()).rejects.toThrow(
      /not found/i,
    );
    expect(stack.emulator.callsTo('answerInlineQuery')).toEqual([]);
  });
});
