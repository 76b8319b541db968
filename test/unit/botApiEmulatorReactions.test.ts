import { Api } from 'grammy';
import type { ReactionType, Update } from 'grammy/types';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { grammyError } from '../support/grammyError.js';

const GROUP = -100_4242;
let emulator: BotApiEmulator;
let api: Api;

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  api = new Api(emulator.token, { apiRoot: emulator.apiRoot });
});

afterAll(async () => {
  await emulator?.close();
});

beforeEach(() => emulator.reset());

function userMessage(messageId: number): Update {
  return {
    update_id: 1,
    message: {
      message_id: messageId,
      date: 0,
      chat: { id: GROUP, type: 'supergroup', title: 'G' },
      from: { id: 7, is_bot: false, first_name: 'A' },
      text: 'https://example.com/x',
    },
  } as Update;
}

describe('setMessageReaction', () => {
  it('puts an emoji reaction on a user’s message the chat knows, and takes it away with an empty list', async () => {
    emulator.knowMessage(userMessage(77));
    await expect(api.setMessageReaction(GROUP, 77, [{ type: 'emoji', emoji: '👎' }])).resolves.toBe(true);
    expect(emulator.reactionsOn(GROUP, 77)).toEqual(['👎']);
    expect(emulator.callsTo('setMessageReaction')[0]?.params).toEqual({
      chat_id: GROUP,
      message_id: 77,
      reaction: [{ type: 'emoji', emoji: '👎' }],
    });
    await api.setMessageReaction(GROUP, 77, []);
    expect(emulator.reactionsOn(GROUP, 77)).toEqual([]);
  });

  it('also reacts to the bot’s own message', async () => {
    const sent = await api.sendMessage(GROUP, 'hello');
    await api.setMessageReaction(GROUP, sent.message_id, [{ type: 'emoji', emoji: '👍' }]);
    expect(emulator.reactionsOn(GROUP, sent.message_id)).toEqual(['👍']);
  });

  it('refuses a message it does not know, and a chat_id that is missing', async () => {
    const missing = await grammyError(api.setMessageReaction(GROUP, 999, [{ type: 'emoji', emoji: '👎' }]));
    expect(missing.error_code).toBe(400);
    expect(missing.description).toBe('Bad Request: message to react not found');
    const noChat = await grammyError(api.setMessageReaction('', 1, [{ type: 'emoji', emoji: '👎' }]));
    expect(noChat.description).toBe('Bad Request: chat_id is empty');
  });

  it('accepts only one standard emoji: others, custom emoji and several are refused', async () => {
    emulator.knowMessage(userMessage(78));
    const notStandard = await grammyError(api.setMessageReaction(GROUP, 78, [{ type: 'emoji', emoji: '🦖' } as never]));
    expect(notStandard.description).toBe('Bad Request: REACTION_INVALID');
    const custom = await grammyError(
      api.setMessageReaction(GROUP, 78, [{ type: 'custom_emoji', custom_emoji_id: '5368324170671202286' }]),
    );
    expect(custom.description).toBe('Bad Request: REACTION_INVALID');
    const several: ReactionType[] = [
      { type: 'emoji', emoji: '👎' },
      { type: 'emoji', emoji: '👍' },
    ];
    expect((await grammyError(api.setMessageReaction(GROUP, 78, several))).description).toBe(
      'Bad Request: REACTIONS_TOO_MANY',
    );
    expect(emulator.reactionsOn(GROUP, 78)).toEqual([]);
  });
});
