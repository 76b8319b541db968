import type { MessageEntity, Update } from 'grammy/types';
import { firstLink, interpretUpdate, isUpdate } from '../../src/telegram/updates.js';

const USER = { id: 42, is_bot: false, first_name: 'Ada' };
const BOT_USERNAME = 'test_media_bot';
const PRIVATE_CHAT = { id: 42, type: 'private', first_name: 'Ada' };
const GROUP_CHAT = { id: -100123, type: 'supergroup', title: 'Friends' };

/** A new-message update as Telegram sends it; `fields` override or add message fields. */
function messageUpdate(fields: Record<string, unknown>): Update {
  return {
    update_id: 1000,
    message: { message_id: 7, date: 1_700_000_000, chat: PRIVATE_CHAT, from: USER, ...fields },
  } as unknown as Update;
}

function urlEntity(text: string, link: string): MessageEntity {
  return { type: 'url', offset: text.indexOf(link), length: link.length };
}

describe('interpretUpdate links', () => {
  it('slices the link out of the text with a url entity', () => {
    const text = 'look https://example.com/watch?v=1 now';
    const intent = interpretUpdate(
      messageUpdate({ text, entities: [urlEntity(text, 'https://example.com/watch?v=1')] }),
      BOT_USERNAME,
    );
    expect(intent).toEqual({
      kind: 'media',
      chatId: 42,
      messageId: 7,
      userId: 42,
      links: ['https://example.com/watch?v=1'],
      explicit: true,
    });
  });

  it('slices by UTF-16 code units when an emoji comes before the link', () => {
    const link = 'https://example.com/v';
    const text = `🎬🎬 ${link} ok`;
    // Telegram counts the two emoji as 4 UTF-16 code units, as JavaScript string indexes do.
    const entities: MessageEntity[] = [{ type: 'url', offset: 5, length: link.length }];
    const intent = interpretUpdate(messageUpdate({ text, entities }), BOT_USERNAME);
    expect(intent).toMatchObject({ kind: 'media', links: [link] });
  });

  it('takes the URL a text_link entity carries', () => {
    const entities: MessageEntity[] = [
      { type: 'text_link', offset: 0, length: 4, url: 'https://example.com/hidden.mp4' },
    ];
    expect(interpretUpdate(messageUpdate({ text: 'this', entities }), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      links: ['https://example.com/hidden.mp4'],
    });
  });

  it('reads the link from a caption and its caption_entities', () => {
    const caption = 'clip: https://example.com/clip.mp4';
    const intent = interpretUpdate(
      messageUpdate({ photo: [], caption, caption_entities: [urlEntity(caption, 'https://example.com/clip.mp4')] }),
      BOT_USERNAME,
    );
    expect(intent).toMatchObject({ kind: 'media', links: ['https://example.com/clip.mp4'] });
  });

  it('adds https:// to a url entity that has no scheme', () => {
    const text = 'see example.com/video';
    expect(
      interpretUpdate(messageUpdate({ text, entities: [urlEntity(text, 'example.com/video')] }), BOT_USERNAME),
    ).toMatchObject({
      kind: 'media',
      links: ['https://example.com/video'],
    });
  });

  it('finds a bare http(s) link when the message has no entities', () => {
    expect(interpretUpdate(messageUpdate({ text: 'get http://example.com/a.mp3 please' }), BOT_USERNAME)).toMatchObject(
      {
        kind: 'media',
        links: ['http://example.com/a.mp3'],
      },
    );
  });

  it('answers a link in a group as media for the group chat', () => {
    const text = 'https://example.com/x';
    const intent = interpretUpdate(
      messageUpdate({ chat: GROUP_CHAT, text, entities: [urlEntity(text, text)] }),
      BOT_USERNAME,
    );
    expect(intent).toEqual({
      kind: 'media',
      chatId: -100123,
      messageId: 7,
      userId: 42,
      links: [text],
      explicit: false,
    });
  });
});

describe('interpretUpdate commands and plain text', () => {
  it.each(['/start', '/help', '/help@test_media_bot', '/start now'])('answers %s with help', (text) => {
    expect(interpretUpdate(messageUpdate({ text }), BOT_USERNAME)).toEqual({ kind: 'help', chatId: 42, messageId: 7 });
  });

  it('does not treat /helpme as the help command', () => {
    expect(interpretUpdate(messageUpdate({ text: '/helpme' }), BOT_USERNAME)).toEqual({
      kind: 'no-link',
      chatId: 42,
      messageId: 7,
    });
  });

  it('answers a private text without a link with no-link', () => {
    expect(interpretUpdate(messageUpdate({ text: 'hello bot' }), BOT_USERNAME)).toEqual({
      kind: 'no-link',
      chatId: 42,
      messageId: 7,
    });
  });

  it('ignores a group text without a link', () => {
    const intent = interpretUpdate(messageUpdate({ chat: GROUP_CHAT, text: 'hello everyone' }), BOT_USERNAME);
    expect(intent.kind).toBe('ignore');
  });
});

describe('interpretUpdate ignored updates', () => {
  const message = { message_id: 7, date: 1_700_000_000, chat: PRIVATE_CHAT, from: USER, text: 'https://example.com/x' };

  it.each([
    ['edited_message', { update_id: 1, edited_message: { ...message, edit_date: 1_700_000_001 } }],
    [
      'channel_post',
      { update_id: 1, channel_post: { ...message, chat: { id: -100999, type: 'channel', title: 'News' } } },
    ],
    [
      'callback query without data or message',
      { update_id: 1, callback_query: { id: 'q', from: USER, chat_instance: 'c', data: 'x' } },
    ],
    ['some_future_update', { update_id: 1, some_future_update: { anything: true } }],
  ])('ignores a %s update with a reason naming its type', (type, update) => {
    const intent = interpretUpdate(update as unknown as Update, BOT_USERNAME);
    expect(intent.kind).toBe('ignore');
    expect(intent.kind === 'ignore' && intent.reason).toContain(type);
  });

  it('ignores a message sent by a bot', () => {
    const intent = interpretUpdate(
      messageUpdate({ from: { id: 99, is_bot: true, first_name: 'Other' }, text: 'https://example.com/x' }),
      BOT_USERNAME,
    );
    expect(intent).toEqual({ kind: 'ignore', reason: expect.stringContaining('bot') });
  });

  it('serves an admin posting anonymously (from GroupAnonymousBot, as the group itself) with the group as the sender', () => {
    const anonymous = { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' };
    const text = 'https://example.com/x';
    const intent = interpretUpdate(
      messageUpdate({
        chat: GROUP_CHAT,
        from: anonymous,
        sender_chat: GROUP_CHAT,
        text,
        entities: [urlEntity(text, text)],
      }),
      BOT_USERNAME,
    );
    expect(intent).toEqual({
      kind: 'media',
      chatId: GROUP_CHAT.id,
      messageId: 7,
      userId: GROUP_CHAT.id,
      links: [text],
      explicit: false,
    });
    const cancel = interpretUpdate(
      messageUpdate({ chat: GROUP_CHAT, from: anonymous, sender_chat: GROUP_CHAT, text: '/cancel' }),
      BOT_USERNAME,
    );
    expect(cancel).toMatchObject({ kind: 'cancel', chatId: GROUP_CHAT.id, userId: GROUP_CHAT.id });
  });

  it('still ignores a bot writing on behalf of another chat (a channel, not this group)', () => {
    const channel = { id: -100999, type: 'channel', title: 'News' };
    const intent = interpretUpdate(
      messageUpdate({
        chat: GROUP_CHAT,
        from: { id: 136817688, is_bot: true, first_name: 'Channel', username: 'Channel_Bot' },
        sender_chat: channel,
        text: 'https://example.com/x',
      }),
      BOT_USERNAME,
    );
    expect(intent).toEqual({ kind: 'ignore', reason: expect.stringContaining('bot') });
  });

  it('ignores a malformed message whose chat id is a string', () => {
    const intent = interpretUpdate(
      messageUpdate({ chat: { id: '42', type: 'private' }, text: 'https://example.com/x' }),
      BOT_USERNAME,
    );
    expect(intent).toEqual({ kind: 'ignore', reason: expect.stringContaining('malformed') });
  });

  it('ignores a malformed message whose text is not a string', () => {
    const intent = interpretUpdate(messageUpdate({ text: { evil: true } }), BOT_USERNAME);
    expect(intent).toEqual({ kind: 'ignore', reason: expect.stringContaining('malformed') });
  });
});

describe('firstLink', () => {
  it('returns the first link entity, not a later one', () => {
    const text = 'https://a.example/1 https://b.example/2';
    expect(firstLink(text, [urlEntity(text, 'https://a.example/1'), urlEntity(text, 'https://b.example/2')])).toBe(
      'https://a.example/1',
    );
  });

  it('skips entities that are not links', () => {
    const text = '@someone https://example.com/x';
    const entities: MessageEntity[] = [
      { type: 'mention', offset: 0, length: 8 },
      urlEntity(text, 'https://example.com/x'),
    ];
    expect(firstLink(text, entities)).toBe('https://example.com/x');
  });

  it('returns undefined for text without a link', () => {
    expect(firstLink('nothing here', [])).toBeUndefined();
  });

  it('falls back to the text when the entities are not an array', () => {
    expect(firstLink('go https://example.com/y', 'oops' as unknown as MessageEntity[])).toBe('https://example.com/y');
  });
});

describe('isUpdate', () => {
  it('accepts an object with an integer update_id', () => {
    expect(isUpdate({ update_id: 5 })).toBe(true);
  });

  it.each([
    ['null', null],
    ['a string', 'update'],
    ['an object without update_id', { message: {} }],
    ['a string update_id', { update_id: '5' }],
    ['a fractional update_id', { update_id: 1.5 }],
  ])('rejects %s', (_what, value) => {
    expect(isUpdate(value)).toBe(false);
  });
});
