/**
 * Inline mode end to end: inline updates queued in the Bot API emulator go through the webhook
 * to the real workers, yt-dlp and ffmpeg; the emulator gets answerInlineQuery, the upload to the
 * storage chat and editMessageMedia (or editMessageText) by inline_message_id.
 */
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { CANCELLED, cancelAnswer, failureMessage } from '../../shared/botTexts.js';
import { inlineMediaWorkflowId, inlineQueryWorkflowId } from '../../shared/contracts/inline.js';
import { FailureType } from '../../shared/failures.js';
import { inlineResultId } from '../../src/telegram/inlineUpdates.js';
import { startSlowServer } from '../support/slowServer.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { downloadJobs, waitFor } from './support/operations.js';
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

  it('the Cancel button: a stranger is refused and the run goes on; the requester stops it; a press after the end is left alone', async () => {
    const slow = await startSlowServer(stack.fixtures.video, 2_000);
    try {
      const link = slow.url('inline-cancel.mp4');
      const queryId = await ask(link);
      const inlineMessageId = stack.emulator.chooseInlineResult({
        queryId,
        resultId: inlineResultId('download', link),
      })!;
      expect(inlineMessageId).toBeDefined();
      await deliverQueued();
      // The button Telegram shows under "⏳ Downloading…", as the bot's answer made it.
      const keyboard = (stack.emulator.inlineMessage(inlineMessageId)?.reply_markup ?? {}) as {
        inline_keyboard?: Array<Array<{ callback_data?: string }>>;
      };
      const data = keyboard.inline_keyboard?.[0]?.[0]?.callback_data;
      expect(data).toBeDefined();
      const press = (userId: number, id: string) =>
        stack.post({
          update_id: 900_000_000 + Math.floor(Math.random() * 1e6),
          callback_query: {
            id,
            from: { id: userId, is_bot: false, first_name: 'P' },
            inline_message_id: inlineMessageId,
            chat_instance: '7',
            data,
          },
        } as Update);
      const answers = () =>
        stack.emulator.callsTo('answerCallbackQuery').map((call) => ({
          id: call.params.callback_query_id,
          text: call.params.text,
          failed: call.failed,
        }));
      await waitFor(
        () => downloadJobs(stack.dataDir).length > 0,
        20_000,
        () => 'yt-dlp to download',
      );

      // Someone else's press: answered with the refusal, and the download goes on.
      expect((await press(STRANGER, 'cb-stranger')).statusCode).toBe(200);
      await waitFor(
        () => answers().length === 1,
        10_000,
        () => 'the stranger’s press to be answered',
      );
      expect(answers()).toEqual([{ id: 'cb-stranger', text: cancelAnswer(0, 1), failed: false }]);
      const handle = stack.client.workflow.getHandle(inlineMediaWorkflowId(inlineMessageId));
      expect((await handle.describe()).status.name).toBe('RUNNING');

      // The requester's press: answered "Cancelled", the inline message says so, nothing uploaded.
      const started = Date.now();
      expect((await press(USER, 'cb-requester')).statusCode).toBe(200);
      const outcome = await handle.result().catch((error: unknown) => error);
      expect((outcome as { cause?: { name?: string } }).cause?.name).toBe('CancelledFailure');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(answers()).toEqual([
        { id: 'cb-stranger', text: cancelAnswer(0, 1), failed: false },
        { id: 'cb-requester', text: CANCELLED, failed: false },
      ]);
      expect(stack.emulator.inlineMessage(inlineMessageId)).toEqual({ text: CANCELLED });
      expect(
        stack.emulator.calls.filter((call) =>
          ['sendVideo', 'sendDocument', 'sendAudio', 'sendMediaGroup', 'editMessageMedia'].includes(call.method),
        ),
      ).toEqual([]);
      await waitFor(
        () => downloadJobs(stack.dataDir).length === 0,
        5_000,
        () => 'the download to stop',
      );

      // The run has ended: the webhook has nothing to signal, and the press stays unanswered.
      expect((await press(USER, 'cb-late')).statusCode).toBe(200);
      expect(answers().map((answer) => answer.id)).toEqual(['cb-stranger', 'cb-requester']);
    } finally {
      await slow.close();
    }
  });
});
