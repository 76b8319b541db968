import type { Message, MessageEntity, Update } from 'grammy/types';
import { parseButtonData } from '../../workflows/callbackData.js';
import type { MediaMode, SettingsChoice } from '../../workflows/types.js';

/** A message's links handled at most; more are ignored (and the user is told in the help). */
export const MAX_LINKS_PER_MESSAGE = 10;

/** What an update asks of the bot. Everything else is ignored with a reason (logged at debug). */
export type UpdateIntent =
  | { kind: 'media'; chatId: number; messageId: number; userId?: number; links: string[]; mode?: MediaMode }
  | { kind: 'help'; chatId: number; messageId: number }
  | { kind: 'no-link'; chatId: number; messageId: number }
  | { kind: 'settings'; chatId: number; messageId: number; userId?: number }
  | { kind: 'settings-choice'; chatId: number; messageId: number; userId: number; choice: SettingsChoice; callbackQueryId: string }
  | { kind: 'cancel'; chatId: number; userId: number; targetMessageId?: number; callbackQueryId?: string; commandMessageId?: number }
  | { kind: 'ignore'; reason: string };

const COMMAND = /^\/([a-z]+)(@\w+)?(?=\s|$)/i;
const BARE_LINK = /\bhttps?:\/\/[^\s<>"]+/gi;

/** True when the value has the one field every Telegram update has. */
export function isUpdate(value: unknown): value is Update {
  return typeof value === 'object' && value !== null && Number.isInteger((value as { update_id?: unknown }).update_id);
}

/**
 * Reads one update. New messages (links and commands) and presses on the bot's own buttons are
 * handled; edits, channel posts and anything newer than this code are ignored (Telegram must
 * still get a 200 for them).
 */
export function interpretUpdate(update: Update): UpdateIntent {
  if (update.callback_query) return interpretButton(update);
  const message = update.message;
  if (!message) return { kind: 'ignore', reason: `unhandled update type: ${updateType(update)}` };
  if (!isWellFormed(message)) return { kind: 'ignore', reason: 'malformed message' };
  if (message.from?.is_bot) return { kind: 'ignore', reason: 'message from a bot' };

  const chatId = message.chat.id;
  const messageId = message.message_id;
  const userId = message.from?.id;
  const text = message.text ?? message.caption ?? '';
  const entities = message.entities ?? message.caption_entities ?? [];
  const command = COMMAND.exec(text)?.[1]?.toLowerCase();
  const links = allLinks(text, entities).slice(0, MAX_LINKS_PER_MESSAGE);

  switch (command) {
    case 'start':
    case 'help':
      return { kind: 'help', chatId, messageId };
    case 'settings':
      return { kind: 'settings', chatId, messageId, userId };
    case 'cancel':
      if (userId === undefined) return { kind: 'ignore', reason: '/cancel without a sender' };
      return { kind: 'cancel', chatId, userId, commandMessageId: messageId, targetMessageId: message.reply_to_message?.message_id };
    case 'audio':
      if (links.length > 0) return { kind: 'media', chatId, messageId, userId, links, mode: 'audio' };
      return { kind: 'help', chatId, messageId };
    default:
      break;
  }
  if (links.length > 0) return { kind: 'media', chatId, messageId, userId, links };
  if (message.chat.type === 'private' && text) return { kind: 'no-link', chatId, messageId };
  return { kind: 'ignore', reason: text ? `no link in a ${message.chat.type} chat` : 'message without text' };
}

function interpretButton(update: Update): UpdateIntent {
  const query = update.callback_query!;
  const message = query.message;
  if (typeof query.id !== 'string' || typeof query.data !== 'string' || !message || !Number.isSafeInteger(message.chat?.id)) {
    return { kind: 'ignore', reason: 'callback query without data or message' };
  }
  const action = parseButtonData(query.data);
  if (!action) return { kind: 'ignore', reason: 'unknown button' };
  const chatId = message.chat.id;
  if (action.action === 'cancel') {
    return { kind: 'cancel', chatId, userId: query.from.id, targetMessageId: action.requestMessageId, callbackQueryId: query.id };
  }
  return { kind: 'settings-choice', chatId, messageId: message.message_id, userId: query.from.id, choice: action.choice, callbackQueryId: query.id };
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
 * The links of a message in order, from Telegram's own entity parsing when present (a
 * `text_link` carries its URL, a `url` entity is a slice of the text), else every http(s) URL
 * in the text. Duplicates are dropped.
 */
export function allLinks(text: string, entities: readonly MessageEntity[]): string[] {
  const links: string[] = [];
  for (const entity of Array.isArray(entities) ? entities : []) {
    if (entity.type === 'text_link' && typeof entity.url === 'string') links.push(entity.url);
    if (entity.type === 'url') {
      const link = text.slice(entity.offset, entity.offset + entity.length);
      // Telegram also marks "example.com/video" as a link; browsers open it as https.
      links.push(/^[a-z][a-z0-9+.-]*:/i.test(link) ? link : `https://${link}`);
    }
  }
  if (links.length === 0) links.push(...(text.match(BARE_LINK) ?? []));
  return [...new Set(links)];
}

/** The first link of a message (see {@link allLinks}). */
export function firstLink(text: string, entities: readonly MessageEntity[]): string | undefined {
  return allLinks(text, entities)[0];
}

function updateType(update: Update): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? 'empty';
}
