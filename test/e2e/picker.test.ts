/**
 * The quality picker end to end: a chat turns on "ask each time" in /settings, a link to a page
 * with four renditions (`<source res=…>`, served from loopback) gets buttons for exactly the
 * heights whose files fit the upload limit (the engine's probe learns their sizes with HEAD
 * requests through the egress proxy), a stranger's press is refused, the requester's press on
 * 360p delivers a 360p file (ffprobe on the bytes the emulator received), no press delivers the
 * chat's default once the (lowered) timer fires, and the choice keys the media cache.
 */
import type { Update } from 'grammy/types';
import { QUALITY_NOT_YOURS } from '../../shared/botTexts.js';
import { createQualityLadder, LADDER_HEIGHTS } from '../support/mediaFixtures.js';
import { activitiesRun } from '../support/histories.js';
import { requestIdOf as idOf, startTestStack, type TestStack } from '../support/stack.js';
import { buttonPress } from '../support/buttonPress.js';
import type { RecordedCall } from '../support/botApiEmulator.js';
import { probeUploaded } from './support/probeUploaded.js';

let stack: TestStack;
let fitting: number[];
let limit: number;
let nextUpdate = 940_000;

beforeAll(async () => {
  const sizes = await createQualityLadder();
  // Between the 720p and the 480p files: 480p and below fit, 720p does not.
  limit = Math.floor((sizes[720]! + sizes[480]!) / 2);
  fitting = LADDER_HEIGHTS.filter((height) => sizes[height]! <= limit);
  stack = await startTestStack({ MAX_UPLOAD_BYTES: String(limit), PICKER_TIMEOUT_SECONDS: '5' });
});

afterAll(async () => {
  await stack?.stop();
});

function message(chatId: number, userId: number, text: string, messageId: number): Update {
  const group = chatId < 0;
  const link = /https?:\/\/\S+/.exec(text);
  return {
    update_id: nextUpdate++,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: group
        ? { id: chatId, type: 'supergroup', title: 'Picker group' }
        : { id: chatId, type: 'private', first_name: 'A' },
      from: { id: userId, is_bot: false, first_name: 'A' },
      text,
      entities: link ? [{ type: 'url', offset: link.index, length: link[0].length }] : [],
    },
  } as Update;
}

/** /settings, then a press on "❓ Ask each time", by `userId` (the chat's owner or an admin). */
async function askEachTime(chatId: number, userId: number): Promise<void> {
  await stack.post(message(chatId, userId, '/settings', 1));
  const shown = await stack.emulator.waitFor(
    (call) => call.method === 'sendMessage' && call.params.chat_id === chatId && call.params.reply_markup !== undefined,
    20_000,
  );
  const keyboardId = (shown.response as { result: { message_id: number } }).result.message_id;
  await stack.post(buttonPress({ data: 'set:ask:on', chatId, userId, messageId: keyboardId }));
  await stack.emulator.waitFor(
    (call) => call.method === 'editMessageReplyMarkup' && call.params.chat_id === chatId,
    20_000,
  );
}

interface Picker {
  statusMessageId: number;
  buttons: Array<{ text: string; data: string }>;
}

/** The status message once it shows the picker's buttons. */
async function pickerShown(chatId: number, after = 0): Promise<Picker> {
  const isPicker = (call: RecordedCall) =>
    call.method === 'editMessageText' &&
    call.params.chat_id === chatId &&
    call.at >= after &&
    JSON.stringify(call.params.reply_markup ?? '').includes('"q:');
  const call = await stack.emulator.waitFor(isPicker, 60_000);
  const keyboard = call.params.reply_markup as {
    inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
  };
  return {
    statusMessageId: Number(call.params.message_id),
    buttons: keyboard.inline_keyboard.flat().map((button) => ({ text: button.text, data: button.callback_data })),
  };
}

function offeredHeights(picker: Picker): number[] {
  return picker.buttons.flatMap((button) => {
    const height = /^q:\d+:\d+:(\d+)$/.exec(button.data)?.[1];
    return height ? [Number(height)] : [];
  });
}

async function uploadedHeight(call: RecordedCall): Promise<number | undefined> {
  const video = call.files.find((file) => file.fileName !== 'thumbnail.jpg');
  expect(video?.bytes).toBeDefined();
  return (await probeUploaded(video!.bytes!, stack.dataDir)).height;
}

function videosTo(chatId: number): RecordedCall[] {
  return stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === chatId);
}

describe('"ask each time"', () => {
  it('offers exactly the heights that fit, refuses a stranger, and sends the pressed 360p', async () => {
    const chatId = -100_940_001;
    const requester = 940_011;
    const stranger = 940_012;
    stack.emulator.setMemberStatus(chatId, requester, 'administrator');
    await askEachTime(chatId, requester);

    const link = `${stack.mediaUrl('ladder.html')}?case=press`;
    const request = message(chatId, requester, link, 50);
    expect((await stack.post(request)).statusCode).toBe(200);
    const picker = await pickerShown(chatId);

    expect(fitting.length).toBeGreaterThanOrEqual(2);
    expect(fitting).not.toContain(720);
    expect(offeredHeights(picker)).toEqual(fitting);
    expect(picker.buttons.map((button) => button.data)).toEqual(
      expect.arrayContaining(['q:50:1:audio', 'q:50:1:file', 'cancel:50']),
    );
    // Each height's button shows the size the HEAD request learned.
    expect(picker.buttons.find((button) => button.data === 'q:50:1:360')?.text).toMatch(/^360p · ~[\d.]+ (KB|MB)$/);

    await stack.post(buttonPress({ data: 'q:50:1:360', chatId, userId: stranger, messageId: picker.statusMessageId }));
    const refused = await stack.emulator.waitFor(
      (call) => call.method === 'answerCallbackQuery' && call.params.text === QUALITY_NOT_YOURS,
      20_000,
    );
    expect(refused.failed).toBe(false);
    expect(videosTo(chatId)).toHaveLength(0);

    await stack.post(buttonPress({ data: 'q:50:1:360', chatId, userId: requester, messageId: picker.statusMessageId }));
    await expect(stack.client.workflow.getHandle(idOf(request)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const [sent] = videosTo(chatId);
    expect(await uploadedHeight(sent!)).toBe(360);
  });

  it('sends the chat’s default (the best that fits) when nobody presses in time', async () => {
    const chatId = 940_002;
    await askEachTime(chatId, chatId);
    const request = message(chatId, chatId, `${stack.mediaUrl('ladder.html')}?case=timeout`, 60);
    await stack.post(request);
    const picker = await pickerShown(chatId);
    const shownAt = Date.now();

    await expect(stack.client.workflow.getHandle(idOf(request)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const [sent] = videosTo(chatId);
    expect(sent!.at - shownAt).toBeGreaterThanOrEqual(4_000);
    expect(await uploadedHeight(sent!)).toBe(Math.max(...fitting));
    expect(offeredHeights(picker)).toEqual(fitting);
  });

  it('keys the cache by the choice: two choices, two downloads; the same choice again, a file_id re-send', async () => {
    const chatId = 940_003;
    await askEachTime(chatId, chatId);
    const link = `${stack.mediaUrl('ladder.html')}?case=cache`;
    const outcomes: string[] = [];
    const downloads: number[] = [];
    for (const [index, height] of [360, 240, 360].entries()) {
      const messageId = 70 + index;
      const before = Date.now();
      const request = message(chatId, chatId, link, messageId);
      await stack.post(request);
      const picker = await pickerShown(chatId, before);
      await stack.post(
        buttonPress({ data: `q:${messageId}:1:${height}`, chatId, userId: chatId, messageId: picker.statusMessageId }),
      );
      const result = await stack.client.workflow.getHandle(idOf(request)).result();
      outcomes.push(result.outcome);
      const history = await stack.client.workflow.getHandle(idOf(request)).fetchHistory();
      downloads.push(activitiesRun(history.events!).filter((activity) => activity.name === 'downloadMedia').length);
    }

    expect(outcomes).toEqual(['delivered', 'delivered', 'cached']);
    expect(downloads).toEqual([1, 1, 0]);
    const [first, second, third] = videosTo(chatId);
    expect([await uploadedHeight(first!), await uploadedHeight(second!)]).toEqual([360, 240]);
    const firstFileId = (first!.response as { result: { video: { file_id: string } } }).result.video.file_id;
    expect(third!.files).toHaveLength(0);
    expect(third!.params.video).toBe(firstFileId);
  });
});
