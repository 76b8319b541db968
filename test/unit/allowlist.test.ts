import type { Update } from 'grammy/types';
import { isAllowed, originOf } from '../../src/telegram/allowlist.js';
import { strangerRefusalWorkflowId } from '../../shared/workflowIds.js';

const ALLOWED = new Set([4242, -100_500]);
const DATE = Date.UTC(2026, 10, 27, 19, 42, 7) / 1000;

function message(chatId: number, fromId: number | undefined, extra: Record<string, unknown> = {}): Update {
  return {
    update_id: 1,
    message: {
      message_id: 17,
      date: DATE,
      chat:
        chatId > 0 ? { id: chatId, type: 'private', first_name: 'A' } : { id: chatId, type: 'supergroup', title: 'G' },
      ...(fromId === undefined ? {} : { from: { id: fromId, is_bot: false, first_name: 'A' } }),
      text: 'https://example.com/v.mp4',
      ...extra,
    },
  } as Update;
}

describe('isAllowed', () => {
  it('lets everyone in without a list', () => {
    // Tried: no ALLOWED_CHAT_IDS, a stranger in a private chat.
    expect(isAllowed(undefined, { chatId: 999, userId: 999 })).toBe(true);
  });

  it('lets in a listed person in a private chat', () => {
    // Tried: user 4242 writes in their own chat.
    expect(isAllowed(ALLOWED, originOf(message(4242, 4242))!)).toBe(true);
  });

  it('lets in anyone in a listed group (negative id)', () => {
    // Tried: an unlisted user 777 writes in the listed supergroup -100500.
    expect(isAllowed(ALLOWED, originOf(message(-100_500, 777))!)).toBe(true);
  });

  it('lets in a listed person in an unlisted group', () => {
    // Tried: listed user 4242 writes in unlisted group -100600.
    expect(isAllowed(ALLOWED, originOf(message(-100_600, 4242))!)).toBe(true);
  });

  it('keeps out a stranger in an unlisted chat', () => {
    // Tried: user 999 in their private chat, and in an unlisted group.
    expect(isAllowed(ALLOWED, originOf(message(999, 999))!)).toBe(false);
    expect(isAllowed(ALLOWED, originOf(message(-100_600, 999))!)).toBe(false);
  });

  it('keeps out a message without a sender in an unlisted chat', () => {
    // Tried: a message without `from` in unlisted group -100600.
    expect(isAllowed(ALLOWED, originOf(message(-100_600, undefined))!)).toBe(false);
  });
});

describe('originOf', () => {
  it('reads the chat, sender, message and date of a message', () => {
    // Tried: a private-chat message.
    expect(originOf(message(999, 998))).toEqual({
      chatId: 999,
      userId: 998,
      kind: 'message',
      messageId: 17,
      date: DATE,
    });
  });

  it('reads the chat and presser of a button press', () => {
    // Tried: a callback query on a message of chat 999 pressed by 998.
    const update = {
      update_id: 2,
      callback_query: {
        id: 'q',
        from: { id: 998, is_bot: false, first_name: 'A' },
        chat_instance: '1',
        data: 'cancel:1',
        message: { message_id: 3, date: 0, chat: { id: 999, type: 'private', first_name: 'A' } },
      },
    } as Update;
    expect(originOf(update)).toEqual({ chatId: 999, userId: 998, kind: 'button' });
  });

  it('has no origin for other updates', () => {
    // Tried: an edited message and a body without a chat id.
    expect(originOf({ update_id: 3, edited_message: message(1, 1).message } as Update)).toBeUndefined();
    expect(originOf({ update_id: 4, message: { message_id: 1, chat: {} } } as unknown as Update)).toBeUndefined();
  });
});

describe('strangerRefusalWorkflowId', () => {
  it('is the same for every message of one chat within one hour (UTC)', () => {
    // Tried: messages at 19:42:07 and 19:59:59, and a redelivery of the first.
    const first = strangerRefusalWorkflowId({ chatId: 999, date: DATE });
    expect(first).toBe('not-allowed-999-2026-11-27T19');
    expect(strangerRefusalWorkflowId({ chatId: 999, date: Date.UTC(2026, 10, 27, 19, 59, 59) / 1000 })).toBe(first);
  });

  it('changes with the hour and with the chat', () => {
    // Tried: the next hour, and another chat in the same hour.
    expect(strangerRefusalWorkflowId({ chatId: 999, date: DATE + 3600 })).toBe('not-allowed-999-2026-11-27T20');
    expect(strangerRefusalWorkflowId({ chatId: -100_600, date: DATE })).toBe('not-allowed--100600-2026-11-27T19');
  });

  it('puts every message with an impossible date under one id', () => {
    // Tried: a missing (0), negative, fractional and far-future date.
    const ids = [0, -5, 1.5, 9e15].map((date) => strangerRefusalWorkflowId({ chatId: 999, date }));
    expect(new Set(ids)).toEqual(new Set(['not-allowed-999-undated']));
  });
});
