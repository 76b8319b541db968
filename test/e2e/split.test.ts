/**
 * Splitting end to end: with the upload limit at 1 MB, a 3 MB clip goes through the webhook, the
 * real workers, yt-dlp and ffmpeg to the Bot API emulator as parts within the limit, each playable,
 * in order; a chat that turned split off in /settings gets the FileTooLarge message as before.
 */
import { createSplitSource } from '../support/mediaFixtures.js';
import { requestIdOf as idOf, startTestStack, type TestStack } from '../support/stack.js';
import { buttonPress } from '../support/buttonPress.js';
import { probeUploaded } from './support/probeUploaded.js';

const LIMIT = 1024 * 1024;
const SOURCE = 'clip-3mb.mp4';
let stack: TestStack;

beforeAll(async () => {
  // In the fixtures folder the media server serves.
  await createSplitSource();
  stack = await startTestStack({ MAX_UPLOAD_BYTES: String(LIMIT) });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  stack.emulator.reset();
  stack.media.reset();
});

/** /settings, then a press on "Don’t split", in a private chat of its own. */
async function splitOff(chatId: number): Promise<void> {
  const chat = { id: chatId, type: 'private' as const, first_name: 'A' };
  await stack.post({
    update_id: chatId * 10,
    message: { message_id: 2, date: 0, chat, from: { id: chatId, is_bot: false, first_name: 'A' }, text: '/settings' },
  });
  const shown = await stack.emulator.waitFor(
    (call) => call.method === 'sendMessage' && call.params.chat_id === chatId,
    20_000,
  );
  const keyboardId = (shown.response as { result: { message_id: number } }).result.message_id;
  const press = buttonPress({ data: 'set:split:off', chatId, messageId: keyboardId });
  await stack.post(press);
  await stack.emulator.waitFor(
    (call) => call.method === 'answerCallbackQuery' && call.params.callback_query_id === press.callback_query!.id,
    20_000,
  );
}

describe('a video over the upload limit', () => {
  it('3 MB at a 1 MB limit: 3–4 playable parts of at most 1 MB, in order, part i/n, adding up to the whole', async () => {
    const link = stack.mediaUrl(SOURCE);
    const update = stack.linkUpdate(link, { chatId: 93_001 });
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });

    const uploads = stack.emulator.callsTo('sendVideo');
    expect(uploads.length).toBeGreaterThanOrEqual(3);
    expect(uploads.length).toBeLessThanOrEqual(4);
    const count = uploads.length;
    expect(uploads.map((upload) => String(upload.params.caption).split('\n').at(-1))).toEqual(
      uploads.map((_, index) => `part ${index + 1}/${count}`),
    );
    expect(String(uploads[0]!.params.caption).split('\n').length).toBeGreaterThan(1);
    let total = 0;
    for (const upload of uploads) {
      const video = upload.files.find((file) => file.fileName !== 'thumbnail.jpg');
      expect(video?.bytes).toBeDefined();
      expect(video!.bytes!.length).toBeLessThanOrEqual(LIMIT);
      const probed = await probeUploaded(video!.bytes!, stack.dataDir);
      expect(probed).toMatchObject({ video: 'h264', audio: 'aac' });
      total += probed.seconds;
    }
    expect(Math.abs(total - 10)).toBeLessThanOrEqual(1);

    // The same link again: every part re-sent by its file_id, in order, with its caption.
    const fileIds = uploads.map(
      (upload) => (upload.response as { result: { video: { file_id: string } } }).result.video.file_id,
    );
    const again = stack.linkUpdate(link, { chatId: 93_003 });
    await stack.post(again);
    await expect(stack.client.workflow.getHandle(idOf(again)).result()).resolves.toMatchObject({ outcome: 'cached' });
    const resent = stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === 93_003);
    expect(resent.map((call) => call.params.video)).toEqual(fileIds);
    expect(resent.map((call) => String(call.params.caption).split('\n').at(-1))).toEqual(
      fileIds.map((_, index) => `part ${index + 1}/${count}`),
    );
  });

  it('a clip of it: only that part, in one piece within the limit, though the whole file is over it', async () => {
    const link = `${stack.mediaUrl(SOURCE)}?case=clip`;
    const update = stack.linkUpdate(link, { chatId: 93_004, text: `${link} 0:02-0:04` });
    await stack.post(update);
    await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const uploads = stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === 93_004);
    expect(uploads).toHaveLength(1);
    const video = uploads[0]!.files.find((file) => file.fileName !== 'thumbnail.jpg');
    expect(video!.bytes!.length).toBeLessThanOrEqual(LIMIT);
    const probed = await probeUploaded(video!.bytes!, stack.dataDir);
    expect(Math.abs(probed.seconds - 2)).toBeLessThanOrEqual(1);
    expect(String(uploads[0]!.params.caption)).not.toMatch(/part \d+\/\d+/);
  });

  it('a clip of it in a chat that does not split: the same, cut from a download of the whole', async () => {
    const chatId = 93_005;
    await splitOff(chatId);
    const link = `${stack.mediaUrl(SOURCE)}?case=clip-no-split`;
    const update = stack.linkUpdate(link, { chatId, text: `${link} 0:05-0:07` });
    await stack.post(update);
    await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const uploads = stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === chatId);
    expect(uploads).toHaveLength(1);
    const video = uploads[0]!.files.find((file) => file.fileName !== 'thumbnail.jpg');
    expect(video!.bytes!.length).toBeLessThanOrEqual(LIMIT);
    expect(Math.abs((await probeUploaded(video!.bytes!, stack.dataDir)).seconds - 2)).toBeLessThanOrEqual(1);
  });

  it('with split off in /settings: the FileTooLarge message, as before', async () => {
    const chatId = 93_002;
    await splitOff(chatId);

    const update = stack.linkUpdate(stack.mediaUrl(SOURCE), { chatId });
    await stack.post(update);
    const ended = await stack.client.workflow
      .getHandle(idOf(update))
      .result()
      .then(
        () => undefined,
        (error: unknown) => error as { cause?: { type?: string } },
      );
    expect(ended?.cause?.type).toBe('FileTooLarge');
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(0);
    const texts = stack.emulator.messagesIn(chatId).map((message) => ('text' in message ? String(message.text) : ''));
    expect(texts).toContainEqual(expect.stringMatching(/too large to send/));
  });
});
