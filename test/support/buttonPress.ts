import type { Update } from 'grammy/types';

let presses = 0;

/**
 * A press on an inline button of one of the bot's messages, as Telegram delivers it: `data` from
 * `userId` (default: the chat's owner) on message `messageId` of `chatId` (a group when negative).
 * Each press gets an update id and a callback query id of its own.
 */
export function buttonPress(press: {
  data: string;
  chatId: number;
  messageId: number;
  userId?: number;
  /** The callback query's id; default a fresh one. */
  id?: string;
}): Update {
  presses += 1;
  const { chatId } = press;
  return {
    update_id: 700_000_000 + Math.floor(Math.random() * 1e8) + presses,
    callback_query: {
      id: press.id ?? `press-${presses}-${Math.random().toString(36).slice(2)}`,
      from: { id: press.userId ?? chatId, is_bot: false, first_name: 'A' },
      chat_instance: '1',
      data: press.data,
      message: {
        message_id: press.messageId,
        date: 0,
        chat: chatId < 0 ? { id: chatId, type: 'group', title: 'G' } : { id: chatId, type: 'private', first_name: 'A' },
      },
    },
  } as Update;
}
