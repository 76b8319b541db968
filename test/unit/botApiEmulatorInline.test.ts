import { Api, InputFile } from 'grammy';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { grammyError } from '../support/grammyError.js';

const STORAGE = -100_777;
const USER = 4242;

let emulator: BotApiEmulator;
let api: Api;

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  api = new Api(emulator.token, { apiRoot: emulator.apiRoot });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const keyboard = { inline_keyboard: [[{ text: 'Cancel', callback_data: 'inline-cancel' }]] };

describe('the emulator in inline mode', () => {
  it('queues the inline query, takes one answer, and turns a chosen keyboard result into an inline message', async () => {
    const queryId = emulator.queueInlineQuery({ userId: USER, query: 'https://example.com/v' });
    const [update] = await api.getUpdates();
    expect(update?.inline_query).toMatchObject({ id: queryId, from: { id: USER }, query: 'https://example.com/v' });
    await api.answerInlineQuery(queryId, [
      {
        type: 'article',
        id: 'd:1',
        title: '⏳',
        input_message_content: { message_text: '⏳ Downloading…' },
        reply_markup: keyboard,
      },
    ]);
    // Answered once: a second answer is refused like Telegram does.
    expect((await grammyError(api.answerInlineQuery(queryId, []))).description).toMatch(/query ID is invalid/);

    const inlineMessageId = emulator.chooseInlineResult({ queryId, resultId: 'd:1' })!;
    const chosen = (await api.getUpdates({ offset: update!.update_id + 1 }))[0]?.chosen_inline_result;
    expect(chosen).toMatchObject({
      result_id: 'd:1',
      query: 'https://example.com/v',
      inline_message_id: inlineMessageId,
    });
    expect(emulator.inlineMessage(inlineMessageId)).toEqual({ text: '⏳ Downloading…', reply_markup: keyboard });
  });

  it('edits the inline message into media the bot uploaded, by file_id, or into a text', async () => {
    const queryId = emulator.queueInlineQuery({ userId: USER, query: 'x.example/v' });
    await api.answerInlineQuery(queryId, [
      {
        type: 'article',
        id: 'd:2',
        title: '⏳',
        input_message_content: { message_text: '⏳' },
        reply_markup: keyboard,
      },
    ]);
    const inlineMessageId = emulator.chooseInlineResult({ queryId, resultId: 'd:2' })!;
    const sent = await api.sendVideo(STORAGE, new InputFile(Buffer.from('not really a video'), 'clip.mp4'));
    await api.editMessageMediaInline(inlineMessageId, { type: 'video', media: sent.video!.file_id, caption: 'A clip' });
    expect(emulator.inlineMessage(inlineMessageId)).toEqual({
      media: { type: 'video', file_id: sent.video!.file_id, caption: 'A clip' },
    });
    await api.editMessageTextInline(inlineMessageId, 'Failed');
    expect(emulator.inlineMessage(inlineMessageId)).toEqual({ text: 'Failed' });
  });

  it('refuses unknown ids: a query it never sent, an inline message that does not exist, a file_id it never gave', async () => {
    expect((await grammyError(api.answerInlineQuery('999', []))).description).toMatch(/query ID is invalid/);
    expect((await grammyError(api.editMessageTextInline('nope', 'x'))).description).toMatch(/MESSAGE_ID_INVALID/);
    expect(
      (await grammyError(api.editMessageMediaInline('nope', { type: 'video', media: 'BAAC-unknown' }))).description,
    ).toMatch(/MESSAGE_ID_INVALID/);
    const queryId = emulator.queueInlineQuery({ userId: USER, query: 'https://example.com/v' });
    expect(
      (
        await grammyError(
          api.answerInlineQuery(queryId, [{ type: 'video', id: 'c:1', video_file_id: 'BAAC-unknown', title: 't' }]),
        )
      ).description,
    ).toMatch(/wrong file identifier/);
  });

  it('gives no inline_message_id for a result without a keyboard', async () => {
    const sent = await api.sendVideo(STORAGE, new InputFile(Buffer.from('bytes'), 'clip.mp4'));
    const queryId = emulator.queueInlineQuery({ userId: USER, query: 'https://example.com/v' });
    await api.answerInlineQuery(queryId, [
      { type: 'video', id: 'c:1', video_file_id: sent.video!.file_id, title: 't' },
    ]);
    expect(emulator.chooseInlineResult({ queryId, resultId: 'c:1' })).toBeUndefined();
  });
});
