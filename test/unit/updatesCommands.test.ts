import type { MessageEntity, Update } from 'grammy/types';
import { interpretUpdate, MAX_LINKS_PER_MESSAGE } from '../../src/telegram/updates.js';

const USER = { id: 42, is_bot: false, first_name: 'Ada' };
const OTHER_USER = { id: 77, is_bot: false, first_name: 'Grace' };
const BOT = { id: 123456, is_bot: true, first_name: 'Media bot', username: 'test_media_bot' };
const BOT_USERNAME = BOT.username;
const PRIVATE_CHAT = { id: 42, type: 'private', first_name: 'Ada' };
const GROUP_CHAT = { id: -100123, type: 'supergroup', title: 'Friends' };

/** A new-message update as Telegram sends it; `fields` override or add message fields. */
function messageUpdate(fields: Record<string, unknown>): Update {
  return {
    update_id: 1000,
    message: { message_id: 7, date: 1_700_000_000, chat: PRIVATE_CHAT, from: USER, ...fields },
  } as Update;
}

/** A command message with its bot_command entity, as Telegram parses it. */
function commandUpdate(text: string, fields: Record<string, unknown> = {}): Update {
  const command = /^\/\S+/.exec(text)?.[0] ?? '';
  const entities: MessageEntity[] = [{ type: 'bot_command', offset: 0, length: command.length }];
  for (const match of text.matchAll(/https?:\/\/\S+/g))
    entities.push({ type: 'url', offset: match.index, length: match[0].length });
  return messageUpdate({ text, entities, ...fields });
}

/** A press on an inline button under a bot message (id 500 in the group chat). */
function buttonUpdate(data: string | undefined, fields: Record<string, unknown> = {}): Update {
  return {
    update_id: 1001,
    callback_query: {
      id: 'cbq-1',
      from: OTHER_USER,
      chat_instance: '-987',
      ...(data === undefined ? {} : { data }),
      message: { message_id: 500, date: 1_700_000_000, chat: GROUP_CHAT, from: BOT, text: '⏳ Downloading…' },
      ...fields,
    },
  } as Update;
}

/** A text of `links` separated by spaces, with the url entity Telegram gives each. */
function textWithUrlEntities(links: string[]): { text: string; entities: MessageEntity[] } {
  let text = '';
  const entities: MessageEntity[] = [];
  for (const link of links) {
    if (text) text += ' ';
    entities.push({ type: 'url', offset: text.length, length: link.length });
    text += link;
  }
  return { text, entities };
}

describe('interpretUpdate /audio', () => {
  it('asks for the audio of the link that follows /audio', () => {
    expect(interpretUpdate(commandUpdate('/audio https://example.com/song'), BOT_USERNAME)).toEqual({
      kind: 'media',
      chatId: 42,
      messageId: 7,
      userId: 42,
      links: ['https://example.com/song'],
      mode: 'audio',
      explicit: true,
    });
  });

  it('asks for the audio of every link after /audio@Bot in a group', () => {
    const intent = interpretUpdate(
      commandUpdate('/audio@test_media_bot https://example.com/a https://example.com/b', { chat: GROUP_CHAT }),
      BOT_USERNAME,
    );
    expect(intent).toEqual({
      kind: 'media',
      chatId: GROUP_CHAT.id,
      messageId: 7,
      userId: 42,
      links: ['https://example.com/a', 'https://example.com/b'],
      mode: 'audio',
      explicit: true,
    });
  });

  it('finds the link after /audio when Telegram sent no url entity', () => {
    const intent = interpretUpdate(messageUpdate({ text: '/audio https://example.com/song.mp3' }), BOT_USERNAME);
    expect(intent).toMatchObject({ kind: 'media', links: ['https://example.com/song.mp3'], mode: 'audio' });
  });

  it('answers /audio without a link with the help', () => {
    expect(interpretUpdate(commandUpdate('/audio'), BOT_USERNAME)).toEqual({ kind: 'help', chatId: 42, messageId: 7 });
  });

  it('answers /audio followed by words but no link with the help', () => {
    expect(interpretUpdate(commandUpdate('/audio please'), BOT_USERNAME)).toEqual({
      kind: 'help',
      chatId: 42,
      messageId: 7,
    });
  });

  it('leaves the mode out for a plain link, so the chat settings decide it', () => {
    const intent = interpretUpdate(messageUpdate(textWithUrlEntities(['https://example.com/v'])), BOT_USERNAME);
    expect(intent).toEqual({
      kind: 'media',
      chatId: 42,
      messageId: 7,
      userId: 42,
      links: ['https://example.com/v'],
      explicit: true,
    });
  });
});

describe('interpretUpdate /settings', () => {
  it('asks for the settings keyboard on /settings', () => {
    expect(interpretUpdate(commandUpdate('/settings'), BOT_USERNAME)).toEqual({
      kind: 'settings',
      chatId: 42,
      messageId: 7,
      userId: 42,
    });
  });

  it('asks for the settings keyboard on /settings@Bot in a group', () => {
    expect(interpretUpdate(commandUpdate('/settings@test_media_bot', { chat: GROUP_CHAT }), BOT_USERNAME)).toEqual({
      kind: 'settings',
      chatId: GROUP_CHAT.id,
      messageId: 7,
      userId: 42,
    });
  });

  it('reads /SETTINGS in capitals as /settings', () => {
    expect(interpretUpdate(commandUpdate('/SETTINGS'), BOT_USERNAME)).toMatchObject({ kind: 'settings' });
  });

  it('does not read /settingsx as /settings', () => {
    expect(interpretUpdate(commandUpdate('/settingsx'), BOT_USERNAME)).not.toMatchObject({ kind: 'settings' });
  });
});

describe('interpretUpdate /cancel', () => {
  it("asks to cancel the sender's requests on /cancel alone, naming the command message", () => {
    const intent = interpretUpdate(commandUpdate('/cancel'), BOT_USERNAME);
    expect(intent).toEqual({ kind: 'cancel', chatId: 42, userId: 42, commandMessageId: 7, targetMessageId: undefined });
    expect(intent).not.toHaveProperty('callbackQueryId');
  });

  it('asks to cancel the replied-to request on /cancel sent as a reply', () => {
    const replyTo = { message_id: 3, date: 1_699_999_000, chat: GROUP_CHAT, from: USER, text: 'https://example.com/v' };
    const intent = interpretUpdate(
      commandUpdate('/cancel@test_media_bot', { chat: GROUP_CHAT, reply_to_message: replyTo }),
      BOT_USERNAME,
    );
    expect(intent).toEqual({
      kind: 'cancel',
      chatId: GROUP_CHAT.id,
      userId: 42,
      commandMessageId: 7,
      targetMessageId: 3,
    });
  });

  it('ignores /cancel without a sender, since no one could be checked (a channel posting into the group)', () => {
    // (sender_chat = the group itself is an anonymous admin: see updates.test.ts)
    const update = commandUpdate('/cancel', {
      chat: GROUP_CHAT,
      from: undefined,
      sender_chat: { id: -100999, type: 'channel', title: 'News' },
    });
    expect(interpretUpdate(update, BOT_USERNAME)).toMatchObject({ kind: 'ignore' });
  });
});

describe('interpretUpdate with several links', () => {
  it('returns the links of url entities and a text_link in message order', () => {
    const text = 'first https://a.example/1 then this and https://b.example/2';
    const entities: MessageEntity[] = [
      { type: 'url', offset: text.indexOf('https://a.example/1'), length: 'https://a.example/1'.length },
      { type: 'text_link', offset: text.indexOf('this'), length: 4, url: 'https://hidden.example/3' },
      { type: 'url', offset: text.indexOf('https://b.example/2'), length: 'https://b.example/2'.length },
    ];
    expect(interpretUpdate(messageUpdate({ text, entities }), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      links: ['https://a.example/1', 'https://hidden.example/3', 'https://b.example/2'],
    });
  });

  it('keeps only the first of repeated links', () => {
    const { text, entities } = textWithUrlEntities([
      'https://a.example/1',
      'https://b.example/2',
      'https://a.example/1',
    ]);
    const withHidden: MessageEntity[] = [
      ...entities,
      { type: 'text_link', offset: 0, length: 5, url: 'https://b.example/2' },
    ];
    expect(interpretUpdate(messageUpdate({ text, entities: withHidden }), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      links: ['https://a.example/1', 'https://b.example/2'],
    });
  });

  it('returns the first 10 links of a message with 12', () => {
    const links = Array.from({ length: 12 }, (_, i) => `https://example.com/v/${i + 1}`);
    expect(MAX_LINKS_PER_MESSAGE).toBe(10);
    expect(interpretUpdate(messageUpdate(textWithUrlEntities(links)), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      links: links.slice(0, 10),
    });
  });

  it('counts the 10 after dropping repeats, so a repeated link does not push a new one out', () => {
    const links = Array.from({ length: 10 }, (_, i) => `https://example.com/v/${i + 1}`);
    const written = [links[0]!, links[0]!, ...links.slice(1)];
    expect(interpretUpdate(messageUpdate(textWithUrlEntities(written)), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      links,
    });
  });

  it('returns the first 10 bare links when Telegram sent no entities', () => {
    const links = Array.from({ length: 11 }, (_, i) => `https://example.com/v/${i + 1}`);
    expect(interpretUpdate(messageUpdate({ text: links.join('\n') }), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      links: links.slice(0, 10),
    });
  });
});

describe('interpretUpdate button presses', () => {
  it('asks to cancel the request named by a Cancel button, for the user who pressed it', () => {
    expect(interpretUpdate(buttonUpdate('cancel:123'), BOT_USERNAME)).toEqual({
      kind: 'cancel',
      chatId: GROUP_CHAT.id,
      userId: OTHER_USER.id,
      targetMessageId: 123,
      callbackQueryId: 'cbq-1',
    });
  });

  it('reads a settings button as a settings choice on the keyboard message', () => {
    expect(interpretUpdate(buttonUpdate('set:mode:document'), BOT_USERNAME)).toEqual({
      kind: 'settings-choice',
      chatId: GROUP_CHAT.id,
      messageId: 500,
      userId: OTHER_USER.id,
      choice: { setting: 'mode', value: 'document' },
      callbackQueryId: 'cbq-1',
    });
  });

  it('reads the "best" quality button as a choice without a height cap', () => {
    expect(interpretUpdate(buttonUpdate('set:height:best'), BOT_USERNAME)).toMatchObject({
      kind: 'settings-choice',
      choice: { setting: 'maxHeight', value: null },
    });
  });

  it.each(['cancel:abc', 'set:mode:exec', 'set:height:999', 'download:1', ''])(
    'ignores a button with unknown data %j',
    (data) => {
      expect(interpretUpdate(buttonUpdate(data), BOT_USERNAME)).toMatchObject({ kind: 'ignore' });
    },
  );

  it('ignores a button press without data (a game button)', () => {
    expect(interpretUpdate(buttonUpdate(undefined, { game_short_name: 'game' }), BOT_USERNAME)).toMatchObject({
      kind: 'ignore',
    });
  });

  it('ignores a button press without a message (an inline-mode message)', () => {
    expect(
      interpretUpdate(buttonUpdate('cancel:123', { message: undefined, inline_message_id: 'inline-1' }), BOT_USERNAME),
    ).toMatchObject({
      kind: 'ignore',
    });
  });
});
