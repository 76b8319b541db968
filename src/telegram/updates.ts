import type { Message, MessageEntity, Update } from 'grammy/types';

/** What an update asks of the bot. Everything else is ignored with a reason (logged at debug). */
export type UpdateIntent =
  | { kind: 'media'; chatId: number; messageId: number; userId?: number; url: string }
  | { kind: 'help'; chatId: number; messageId: number }
  | { kind: 'no-link'; chatId: number; messageId: number }
  | { kind: 'ignore'; reason: string };

const COMMAND = /^\/(start|help)(@\w+)?(\s|$)/i;
const BARE_LINK = /\bhttps?:\/\/[^\s<>"]+/i;

/** True when the value has the one field every Telegram update has. */
export function isUpdate(value: unknown): value is Update {
  return typeof value === 'object' && value !== null && Number.isInteger((value as { update_id?: unknown }).update_id);
}

/**
 * Reads one update. Only new messages are handled: edits, channel posts, callback queries and
 * anything newer than this code are ignored (Telegram must still get a 200 for them).
 */
export function interpretUpdate(update: Update): UpdateIntent {
  const message = update.message;
  if (!message) return { kind: 'ignore', reason: `unhandled update type: ${updateType(update)}` };
  if (!isWellFormed(message)) return { kind: 'ignore', reason: 'malformed message' };
  if (message.from?.is_bot) return { kind: 'ignore', reason: 'message from a bot' };

  const chatId = message.chat.id;
  const messageId = message.message_id;
  const text = message.text ?? message.caption ?? '';
  const entities = message.entities ?? message.caption_entities ?? [];

  if (COMMAND.test(text)) return { kind: 'help', chatId, messageId };
  const url = firstLink(text, entities);
  if (url) return { kind: 'media', chatId, messageId, userId: message.from?.id, url };
  if (message.chat.type === 'private' && text) return { kind: 'no-link', chatId, messageId };
  return { kind: 'ignore', reason: text ? `no link in a ${message.chat.type} chat` : 'message without text' };
}

function isWellFormed(message: Message): boolean {
  return (
    Number.isInteger(message.message_id) &&
    typeof message.chat === 'object' &&
    message.chat !== null &&
    Number.isSafeInteger(message.chat.id) &&
    (message.text === undefined || typeof message.text === 'string') &&
    (message.caption === undefined || typeof message.caption === 'string')
  );
}

/**
 * The first link in a message, from Telegram's own entity parsing when present (a `text_link`
 * carries its URL, a `url` entity is a slice of the text), else the first http(s) URL in it.
 */
export function firstLink(text: string, entities: readonly MessageEntity[]): string | undefined {
  for (const entity of Array.isArray(entities) ? entities : []) {
    if (entity.type === 'text_link' && typeof entity.url === 'string') return entity.url;
    if (entity.type === 'url') {
      const link = text.slice(entity.offset, entity.offset + entity.length);
      // Telegram also marks "example.com/video" as a link; browsers open it as https.
      return /^[a-z][a-z0-9+.-]*:/i.test(link) ? link : `https://${link}`;
    }
  }
  return BARE_LINK.exec(text)?.[0];
}

function updateType(update: Update): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? 'empty';
}
