import type { Update } from 'grammy/types';

/** Where an update comes from: its chat, its sender, and (for a message) when it was sent. */
export interface UpdateOrigin {
  chatId: number;
  userId?: number;
  /** A message (answerable with one refusal) or a button press (ignored). */
  kind: 'message' | 'button';
  messageId?: number;
  /** The message's date (Unix seconds, set by Telegram). */
  date?: number;
}

/** The chat and sender of a message or a button press; undefined for anything else. */
export function originOf(update: Update): UpdateOrigin | undefined {
  const query = update.callback_query;
  if (query) {
    const chatId = query.message?.chat?.id;
    if (!Number.isSafeInteger(chatId)) return undefined;
    return { chatId: chatId!, userId: safeId(query.from?.id), kind: 'button' };
  }
  const message = update.message;
  if (!message || !Number.isSafeInteger(message.chat?.id)) return undefined;
  return {
    chatId: message.chat.id,
    userId: safeId(message.from?.id),
    kind: 'message',
    messageId: message.message_id,
    date: message.date,
  };
}

/**
 * ALLOWED_CHAT_IDS: an update passes when its chat is listed (everyone in an allowed group) or its
 * sender is (an allowed person, in any chat). Without a list everyone passes.
 */
export function isAllowed(
  allowed: ReadonlySet<number> | undefined,
  origin: Pick<UpdateOrigin, 'chatId' | 'userId'>,
): boolean {
  if (!allowed) return true;
  return allowed.has(origin.chatId) || (origin.userId !== undefined && allowed.has(origin.userId));
}

function safeId(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}
