/**
 * Which commands are ours in a group, where several bots read the same messages, and which
 * request a `/cancel` reply points at.
 */
import type { MessageEntity, Update } from 'grammy/types';
import { handleUpdate } from '../../src/telegram/handleUpdate.js';
import { interpretUpdate } from '../../src/telegram/updates.js';
import { createLogger } from '../../src/logger.js';
import type { WorkflowStarter } from '../../src/temporal/starter.js';
import { cancelButtonData, settingsButtonData } from '../../shared/callbackData.js';

const BOT_USERNAME = 'test_media_bot';
const USER = { id: 42, is_bot: false, first_name: 'Ada' };
const OUR_BOT = { id: 123456, is_bot: true, first_name: 'Media bot', username: BOT_USERNAME };
const OTHER_BOT = { id: 654321, is_bot: true, first_name: 'Other', username: 'OtherBot' };
const GROUP_CHAT = { id: -100123, type: 'supergroup', title: 'Friends' };
const LINK = 'https://example.com/v';

/** A command message in the group with the entities Telegram gives it; `fields` override message fields. */
function commandUpdate(text: string, fields: Record<string, unknown> = {}): Update {
  const command = /^\/\S+/.exec(text)?.[0] ?? '';
  const entities: MessageEntity[] = [{ type: 'bot_command', offset: 0, length: command.length }];
  for (const match of text.matchAll(/https?:\/\/\S+/g))
    entities.push({ type: 'url', offset: match.index, length: match[0].length });
  return {
    update_id: 1000,
    message: { message_id: 7, date: 1_700_000_000, chat: GROUP_CHAT, from: USER, text, entities, ...fields },
  } as Update;
}

/** A message of the chat that a `/cancel` replies to. */
function repliedTo(fields: Record<string, unknown>): Record<string, unknown> {
  return { message_id: 900, date: 1_699_999_000, chat: GROUP_CHAT, ...fields };
}

describe('commands addressed to another bot', () => {
  // Tried: each of our commands, an unknown command with a link (the /save@OtherBot of another
  // download bot), a name that only starts like ours, and /cancel as a reply to our status message.
  it.each([
    '/start@OtherBot',
    '/help@OtherBot',
    '/settings@OtherBot',
    '/cancel@OtherBot',
    `/audio@OtherBot ${LINK}`,
    '/audio@OtherBot',
    `/save@OtherBot ${LINK}`,
    `/start@OtherBot ${LINK}`,
    `/cancel@${BOT_USERNAME}2`,
    `/settings@x${BOT_USERNAME}`,
  ])('ignores %j entirely', (text) => {
    expect(interpretUpdate(commandUpdate(text), BOT_USERNAME)).toEqual({
      kind: 'ignore',
      reason: 'command for another bot',
    });
  });

  it('ignores /cancel@OtherBot even as a reply to our status message with a Cancel button', () => {
    const status = repliedTo({
      from: OUR_BOT,
      text: '⏳',
      reply_markup: { inline_keyboard: [[{ text: '✖ Cancel', callback_data: cancelButtonData(3) }]] },
    });
    expect(
      interpretUpdate(commandUpdate('/cancel@OtherBot', { reply_to_message: status }), BOT_USERNAME),
    ).toMatchObject({ kind: 'ignore' });
  });

  it('starts no workflow for it: the handler reports it ignored, which the webhook answers with 200', async () => {
    const started: string[] = [];
    const starter = new Proxy(
      {},
      { get: (_target, method: string) => async () => void started.push(method) },
    ) as WorkflowStarter;
    const deps = {
      starter,
      botUsername: BOT_USERNAME,
      maxUploadBytes: 1000,
      albumCap: 10,
      policies: {},
      logger: createLogger('silent'),
    };
    for (const text of [
      '/cancel@OtherBot',
      `/save@OtherBot ${LINK}`,
      '/settings@OtherBot',
      `/audio@OtherBot ${LINK}`,
    ]) {
      await expect(handleUpdate(commandUpdate(text), deps)).resolves.toEqual({
        action: 'ignored',
        reason: 'command for another bot',
      });
    }
    expect(started).toEqual([]);
    // The same handler does start ours: the empty list above is not a starter that never records.
    await handleUpdate(commandUpdate(`/save@${BOT_USERNAME} ${LINK}`), deps);
    expect(started).toEqual(['startMediaRequest']);
  });

  it('still reads a link message that mentions another bot after the start', () => {
    expect(interpretUpdate(commandUpdate(`look @OtherBot ${LINK}`), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      links: [LINK],
    });
  });
});

describe('commands addressed to us', () => {
  const expected = {
    '/start': { kind: 'help' },
    '/help': { kind: 'help' },
    '/settings': { kind: 'settings', userId: 42 },
    '/cancel': { kind: 'cancel', userId: 42, commandMessageId: 7 },
    [`/audio ${LINK}`]: { kind: 'media', links: [LINK], mode: 'audio' },
    [`/save ${LINK}`]: { kind: 'media', links: [LINK] },
  };
  const forms = Object.entries(expected).flatMap(([text, intent]) =>
    ['', `@${BOT_USERNAME}`, '@Test_Media_Bot', '@TEST_MEDIA_BOT'].map((suffix) => {
      const [command, ...rest] = text.split(' ');
      return [[`${command}${suffix}`, ...rest].join(' '), intent] as const;
    }),
  );

  it.each(forms)('reads %j as ours (no @name, or our username in any case)', (text, intent) => {
    expect(interpretUpdate(commandUpdate(text), BOT_USERNAME)).toMatchObject({ chatId: GROUP_CHAT.id, ...intent });
  });

  it('matches a username learned in capitals against a command written in lower case', () => {
    expect(interpretUpdate(commandUpdate('/settings@test_media_bot'), 'Test_Media_Bot')).toMatchObject({
      kind: 'settings',
    });
  });
});

describe('/cancel as a reply', () => {
  const cancelKeyboard = (requestMessageId: number) => ({
    inline_keyboard: [[{ text: '✖ Cancel', callback_data: cancelButtonData(requestMessageId) }]],
  });

  it.each(['/cancel', `/cancel@${BOT_USERNAME}`])(
    '%s to our status message cancels the request its Cancel button names',
    (command) => {
      const status = repliedTo({ from: OUR_BOT, text: '⬇️ 42%', reply_markup: cancelKeyboard(3) });
      expect(interpretUpdate(commandUpdate(command, { reply_to_message: status }), BOT_USERNAME)).toEqual({
        kind: 'cancel',
        chatId: GROUP_CHAT.id,
        userId: 42,
        commandMessageId: 7,
        targetMessageId: 3,
      });
    },
  );

  it('finds the Cancel button among other buttons and rows', () => {
    const markup = {
      inline_keyboard: [
        [{ text: 'Video', callback_data: settingsButtonData({ setting: 'mode', value: 'video' }) }],
        [{ text: 'site', url: LINK }, cancelKeyboard(11).inline_keyboard[0]![0]!],
      ],
    };
    const status = repliedTo({ from: OUR_BOT, text: '⏳', reply_markup: markup });
    expect(interpretUpdate(commandUpdate('/cancel', { reply_to_message: status }), BOT_USERNAME)).toMatchObject({
      targetMessageId: 11,
    });
  });

  it('cancels the replied-to link message itself, as before', () => {
    const request = repliedTo({ message_id: 3, from: USER, text: LINK });
    expect(interpretUpdate(commandUpdate('/cancel', { reply_to_message: request }), BOT_USERNAME)).toMatchObject({
      targetMessageId: 3,
    });
  });

  it('names the replied-to message when our message has no Cancel button (the request is over)', () => {
    const done = repliedTo({ from: OUR_BOT, text: '🚫 Cancelled.' });
    expect(interpretUpdate(commandUpdate('/cancel', { reply_to_message: done }), BOT_USERNAME)).toMatchObject({
      targetMessageId: 900,
    });
  });

  it("does not follow a cancel button on another bot's message", () => {
    const foreign = repliedTo({ from: OTHER_BOT, text: 'mine', reply_markup: cancelKeyboard(3) });
    expect(interpretUpdate(commandUpdate('/cancel', { reply_to_message: foreign }), BOT_USERNAME)).toMatchObject({
      targetMessageId: 900,
    });
  });

  it('does not follow a cancel button a user forged into a message of their own', () => {
    const forged = repliedTo({ from: { ...USER, username: BOT_USERNAME }, text: 'x', reply_markup: cancelKeyboard(3) });
    expect(interpretUpdate(commandUpdate('/cancel', { reply_to_message: forged }), BOT_USERNAME)).toMatchObject({
      targetMessageId: 900,
    });
  });

  it.each([
    ['rows that are not lists', { inline_keyboard: ['cancel:3', null] }],
    ['buttons that are not objects', { inline_keyboard: [[null, 'cancel:3', 3]] }],
    ['a keyboard that is not a list', { inline_keyboard: { 0: [{ callback_data: 'cancel:3' }] } }],
    ['callback data that is not ours', { inline_keyboard: [[{ text: 'x', callback_data: 'cancel:abc' }]] }],
  ])('falls back to the replied-to message on a keyboard with %s, without throwing', (_what, markup) => {
    const status = repliedTo({ from: OUR_BOT, text: '⏳', reply_markup: markup });
    expect(interpretUpdate(commandUpdate('/cancel', { reply_to_message: status }), BOT_USERNAME)).toMatchObject({
      targetMessageId: 900,
    });
  });
});
