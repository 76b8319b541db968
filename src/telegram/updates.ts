import type { InlineKeyboardMarkup, Message, MessageEntity, Update, User } from 'grammy/types';
import { parseButtonData } from '../../shared/callbackData.js';
import type { MediaMode } from '../../shared/activityTypes.js';
import type { SettingsChoice } from '../../shared/contracts/chatSettings.js';
import type { ClipRange } from '../../shared/clipRange.js';
import type { QualityPress } from '../../shared/contracts/mediaRequest.js';
import { clipCommandRange, rangesAfterLinks } from './clipRanges.js';
import type { PlaylistRange } from '../../shared/playlistRange.js';
import { readPlaylistCommand } from './playlistRanges.js';
import { DEFAULT_LANGUAGE, normalizeLanguage, type Language } from '../../shared/i18n/languages.js';

/** A message's links handled at most; more are ignored (the help says so). */
export const MAX_LINKS_PER_MESSAGE = 10;

/**
 * What an update asks of the bot, with the sender's language (`from.language_code`, when the bot
 * speaks it and it is not English). Everything else is ignored with a reason (logged at debug).
 */
export type UpdateIntent = Intent & { language?: Language };

type Intent =
  | {
      kind: 'media';
      chatId: number;
      messageId: number;
      userId?: number;
      links: string[];
      mode?: MediaMode;
      /** Per link, the part asked for (null: all of it); absent when no link has a range. */
      clips?: Array<ClipRange | null>;
      /**
       * Asked of the bot: any link in a private chat; in a group a command (/dl, /audio, /clip),
       * a reply to the bot's message or a mention of it. A group that answers only links asked
       * for lets the others end quietly.
       */
      explicit: boolean;
    }
  /** A range that cannot be served (`link 5-2`): answered with the problem, nothing downloaded. */
  | { kind: 'invalid-range'; chatId: number; messageId: number; problem: string }
  /** `/playlist <link> [range]`: the entries asked for, each delivered as its own media. */
  | { kind: 'playlist'; chatId: number; messageId: number; userId?: number; link: string; range?: PlaylistRange }
  /** A /playlist whose range cannot be read (`5-2`, `0-3`): answered with the problem. */
  | { kind: 'invalid-playlist-range'; chatId: number; messageId: number; problem: string }
  | { kind: 'help'; chatId: number; messageId: number }
  | { kind: 'no-link'; chatId: number; messageId: number }
  | { kind: 'settings'; chatId: number; messageId: number; userId?: number }
  | {
      kind: 'settings-choice';
      chatId: number;
      messageId: number;
      userId: number;
      choice: SettingsChoice;
      callbackQueryId: string;
    }
  /** A press on a request's quality picker: signalled to that request, which checks who pressed. */
  | { kind: 'quality-choice'; chatId: number; requestMessageId: number; press: QualityPress }
  | {
      kind: 'cancel';
      chatId: number;
      userId: number;
      targetMessageId?: number;
      callbackQueryId?: string;
      commandMessageId?: number;
    }
  | { kind: 'ignore'; reason: string };

const COMMAND = /^\/([a-z]+)(@\w+)?(?=\s|$)/i;
/** Any `/command@bot` at the start of the text, ours or not (command names and usernames are `\w`). */
const ADDRESSED_COMMAND = /^\/\w+@(\w+)/;
const BARE_LINK = /\bhttps?:\/\/[^\s<>"]+/gi;

/** True when the value has the one field every Telegram update has. */
export function isUpdate(value: unknown): value is Update {
  return typeof value === 'object' && value !== null && Number.isInteger((value as { update_id?: unknown }).update_id);
}

/**
 * Reads one update. New messages (links and commands) and presses on the bot's own buttons are
 * handled; edits, channel posts and anything newer than this code are ignored (Telegram must
 * still get a 200 for them). `botUsername` (from getMe) tells our commands from other bots' in
 * a group: `/cancel@OtherBot` is not ours, whatever it says.
 */
export function interpretUpdate(update: Update, botUsername: string): UpdateIntent {
  const intent = readIntent(update, botUsername);
  if (intent.kind === 'ignore' || intent.kind === 'quality-choice') return intent;
  const language = normalizeLanguage((update.callback_query ?? update.message)?.from?.language_code);
  return language && language !== DEFAULT_LANGUAGE ? { ...intent, language } : intent;
}

function readIntent(update: Update, botUsername: string): Intent {
  if (update.callback_query) return interpretButton(update);
  const message = update.message;
  if (!message) return { kind: 'ignore', reason: `unhandled update type: ${updateType(update)}` };
  if (!isWellFormed(message)) return { kind: 'ignore', reason: 'malformed message' };
  // An admin posting anonymously writes as the group itself (`from` is Telegram's
  // GroupAnonymousBot, `sender_chat` the group): a person, served like any member. As the sender
  // they are the group (one quota for its anonymous admins, and an admin for /cancel).
  const anonymousAdmin = message.sender_chat?.id === message.chat.id && message.chat.type !== 'private';
  if (message.from?.is_bot && !anonymousAdmin) return { kind: 'ignore', reason: 'message from a bot' };

  const chatId = message.chat.id;
  const messageId = message.message_id;
  const userId = anonymousAdmin ? chatId : message.from?.id;
  const text = message.text ?? message.caption ?? '';
  const entities = message.entities ?? message.caption_entities ?? [];
  const addressee = ADDRESSED_COMMAND.exec(text)?.[1];
  if (addressee !== undefined && !isUsername(addressee, botUsername))
    return { kind: 'ignore', reason: 'command for another bot' };
  const command = COMMAND.exec(text)?.[1]?.toLowerCase();
  const links = allLinks(text, entities).slice(0, MAX_LINKS_PER_MESSAGE);
  const asked =
    message.chat.type === 'private' ||
    isOurBot(message.reply_to_message?.from, botUsername) ||
    mentions(text, entities, botUsername);

  switch (command) {
    case 'start':
    case 'help':
      return { kind: 'help', chatId, messageId };
    case 'settings':
      return { kind: 'settings', chatId, messageId, userId };
    case 'cancel':
      if (userId === undefined) return { kind: 'ignore', reason: '/cancel without a sender' };
      return {
        kind: 'cancel',
        chatId,
        userId,
        commandMessageId: messageId,
        targetMessageId: cancelTarget(message.reply_to_message, botUsername),
      };
    case 'audio':
      if (links.length > 0)
        return withRanges({ kind: 'media', chatId, messageId, userId, links, mode: 'audio', explicit: true }, text);
      return { kind: 'help', chatId, messageId };
    case 'clip': {
      const link = links[0];
      const reading = link ? clipCommandRange(text, link) : { problem: '/clip needs a link, then a start and an end' };
      if ('problem' in reading) return { kind: 'invalid-range', chatId, messageId, problem: reading.problem };
      return { kind: 'media', chatId, messageId, userId, links: [link!], clips: [reading.range], explicit: true };
    }
    case 'dl':
      // `/dl <link>`: a plain link, asked for (served in a group that answers only those).
      if (links.length > 0)
        return withRanges({ kind: 'media', chatId, messageId, userId, links, explicit: true }, text);
      return { kind: 'help', chatId, messageId };
    case 'playlist': {
      const reading = readPlaylistCommand(text, links[0]);
      if ('problem' in reading) return { kind: 'invalid-playlist-range', chatId, messageId, problem: reading.problem };
      return { kind: 'playlist', chatId, messageId, userId, ...reading };
    }
    default:
      break;
  }
  if (links.length > 0) return withRanges({ kind: 'media', chatId, messageId, userId, links, explicit: asked }, text);
  if (message.chat.type === 'private' && text) return { kind: 'no-link', chatId, messageId };
  return { kind: 'ignore', reason: text ? `no link in a ${message.chat.type} chat` : 'message without text' };
}

/** The ranges written after the links (`link 1:30-2:45`), or the problem with the first bad one. */
function withRanges(intent: Extract<Intent, { kind: 'media' }>, text: string): Intent {
  const ranges = rangesAfterLinks(text, intent.links);
  if ('problem' in ranges)
    return { kind: 'invalid-range', chatId: intent.chatId, messageId: intent.messageId, problem: ranges.problem };
  return ranges.clips ? { ...intent, clips: ranges.clips } : intent;
}

function interpretButton(update: Update): Intent {
  const query = update.callback_query!;
  const message = query.message;
  if (
    typeof query.id !== 'string' ||
    typeof query.data !== 'string' ||
    !message ||
    !Number.isSafeInteger(message.chat?.id)
  ) {
    return { kind: 'ignore', reason: 'callback query without data or message' };
  }
  const action = parseButtonData(query.data);
  if (!action) return { kind: 'ignore', reason: 'unknown button' };
  const chatId = message.chat.id;
  if (action.action === 'cancel') {
    return {
      kind: 'cancel',
      chatId,
      userId: query.from.id,
      targetMessageId: action.requestMessageId,
      callbackQueryId: query.id,
    };
  }
  if (action.action === 'quality') {
    return {
      kind: 'quality-choice',
      chatId,
      requestMessageId: action.requestMessageId,
      press: { link: action.link, choice: action.choice, userId: query.from.id, callbackQueryId: query.id },
    };
  }
  return {
    kind: 'settings-choice',
    chatId,
    messageId: message.message_id,
    userId: query.from.id,
    choice: action.choice,
    callbackQueryId: query.id,
  };
}

/**
 * The request a `/cancel` reply points at. A reply to the link names it by its own id; a reply
 * to our status message ("⏳ …") names the request its Cancel button is for, since the status
 * message's id is no request's.
 */
function cancelTarget(replied: Message | undefined, botUsername: string): number | undefined {
  if (!replied) return undefined;
  if (isOurBot(replied.from, botUsername)) {
    const requestMessageId = cancelButtonTarget(replied.reply_markup);
    if (requestMessageId !== undefined) return requestMessageId;
  }
  return replied.message_id;
}

/** The request named by a Cancel button of the keyboard; read warily, as it comes from the update body. */
function cancelButtonTarget(markup: InlineKeyboardMarkup | undefined): number | undefined {
  const rows: unknown = markup?.inline_keyboard;
  for (const row of Array.isArray(rows) ? rows : []) {
    for (const button of Array.isArray(row) ? (row as unknown[]) : []) {
      const data =
        typeof button === 'object' && button !== null
          ? (button as { callback_data?: unknown }).callback_data
          : undefined;
      const action = typeof data === 'string' ? parseButtonData(data) : undefined;
      if (action?.action === 'cancel') return action.requestMessageId;
    }
  }
  return undefined;
}

/** `@ourbot` in the text (a `mention` entity, or the bare word when Telegram sent no entities). */
function mentions(text: string, entities: readonly MessageEntity[], botUsername: string): boolean {
  const ours = (name: string) => isUsername(name.replace(/^@/, ''), botUsername);
  const list = Array.isArray(entities) ? entities : [];
  if (list.some((entity) => entity.type === 'mention'))
    return list.some(
      (entity) => entity.type === 'mention' && ours(text.slice(entity.offset, entity.offset + entity.length)),
    );
  return (text.match(/(?<![\w@])@\w+/g) ?? []).some(ours);
}

function isOurBot(user: User | undefined, botUsername: string): boolean {
  return user?.is_bot === true && typeof user.username === 'string' && isUsername(user.username, botUsername);
}

/** Telegram usernames are case-insensitive: `@MediaBot` and `@mediabot` are one bot. */
function isUsername(name: string, botUsername: string): boolean {
  return name.toLowerCase() === botUsername.toLowerCase();
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
