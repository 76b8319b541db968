/**
 * The user's language (#14 point 1), through the real stack: the webhook reads `language_code`,
 * the workflows write in it, and a chat language chosen in /settings wins over it.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { Update } from 'grammy/types';
import { failureMessage, helpText, text } from '../../shared/botTexts.js';
import { FailureType } from '../../shared/failures.js';
import type { Language } from '../../shared/i18n/languages.js';
import { useTestStack, requestIdOf as idOf } from '../support/stack.js';

const stack = useTestStack();

/** A link from a person whose Telegram speaks `language`. */
function linkFrom(language: string, url: string, chatId: number): Update {
  const update = stack.linkUpdate(url, { chatId });
  update.message!.from!.language_code = language;
  return update;
}

function commandFrom(language: string, command: string, chatId: number, updateId: number): Update {
  return {
    update_id: updateId,
    message: {
      message_id: updateId % 100_000,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'A' },
      from: { id: chatId, is_bot: false, first_name: 'A', language_code: language },
      text: command,
    },
  } as Update;
}

function pressFrom(language: string, data: string, chatId: number, keyboardId: number): Update {
  return {
    update_id: Math.floor(Math.random() * 1e9),
    callback_query: {
      id: `press-${Math.random().toString(36).slice(2)}`,
      from: { id: chatId, is_bot: false, first_name: 'A', language_code: language },
      chat_instance: '1',
      data,
      message: { message_id: keyboardId, date: 0, chat: { id: chatId, type: 'private', first_name: 'A' } },
    },
  } as Update;
}

const unavailable = (language?: Language) =>
  failureMessage({ type: FailureType.ContentUnavailable, url: '', limitBytes: 0 }, language);

/** Sends a link that 404s and returns every text the bot wrote to the chat (sent and edited). */
async function missingLink(language: string, chatId: number): Promise<string[]> {
  stack.media.always('missing.mp4', 404);
  const update = linkFrom(language, stack.mediaUrl('missing.mp4'), chatId);
  expect((await stack.post(update)).statusCode).toBe(200);
  const error = await stack.client.workflow
    .getHandle(idOf(update))
    .result()
    .catch((reason: unknown) => reason);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return stack.emulator.calls
    .filter((call) => ['sendMessage', 'editMessageText'].includes(call.method) && call.params.chat_id === chatId)
    .map((call) => String(call.params.text));
}

describe("the user's language", () => {
  it("a Russian user's link that 404s: the acknowledgement, its Cancel button and the ContentUnavailable text in Russian", async () => {
    const chatId = 14_001;
    const texts = await missingLink('ru', chatId);
    expect(texts[0]).toBe('⏳ Понял, скачиваю…');
    expect(texts).toContain(unavailable('ru'));
    expect(unavailable('ru')).toMatch(/^❌ Скачать не удалось/);
    expect(texts).not.toContain(unavailable());
    const ack = stack.emulator.callsTo('sendMessage').find((call) => call.params.chat_id === chatId)!;
    expect(JSON.stringify(ack.params.reply_markup)).toContain('✖ Отмена');
  });

  it('a language the bot does not speak gets English', async () => {
    const texts = await missingLink('fr', 14_002);
    expect(texts[0]).toBe(text('acknowledged'));
    expect(texts).toContain(unavailable());
  });

  it("the chat language set in /settings overrides the user's", async () => {
    const chatId = 14_003;
    await stack.post(commandFrom('ru', '/settings', chatId, 14_003_001));
    const shown = await stack.emulator.waitFor(
      (call) => call.method === 'sendMessage' && call.params.chat_id === chatId,
      20_000,
    );
    // Before any choice, /settings speaks the sender's language.
    expect(String(shown.params.text)).toBe(text('settings-title', 'ru'));
    const keyboardId = (shown.response as { result: { message_id: number } }).result.message_id;

    await stack.post(pressFrom('ru', 'set:lang:de', chatId, keyboardId));
    const answered = await stack.emulator.waitFor('answerCallbackQuery', 20_000);
    expect(answered.params.text).toBe(text('settings-saved', 'de'));
    const redrawn = stack.emulator
      .callsTo('editMessageText')
      .find((call) => call.params.chat_id === chatId && call.params.message_id === keyboardId);
    expect(redrawn?.params.text).toBe(text('settings-title', 'de'));
    expect(JSON.stringify(redrawn?.params.reply_markup)).toContain('✓ Deutsch');

    stack.emulator.reset();
    const texts = await missingLink('ru', chatId);
    expect(texts[0]).toBe(text('acknowledged', 'de'));
    expect(texts).toContain(unavailable('de'));
    expect(texts).not.toContain(unavailable('ru'));

    // Replies written by the webhook in the sender's language are written again in the chat's.
    await stack.post(commandFrom('ru', '/help', chatId, 14_003_002));
    const help = await stack.emulator.waitFor(
      (call) =>
        call.method === 'sendMessage' && call.params.chat_id === chatId && String(call.params.text).length > 300,
      20_000,
    );
    expect(help.params.text).toBe(helpText('de'));
  });
});
