import type { Update } from 'grammy/types';
import { DEFAULT_LANGUAGE, normalizeLanguage, type Language } from '../../shared/i18n/languages.js';

/**
 * Inline mode (`@ourbot <link>` typed in any chat), as the webhook reads it. Two updates matter:
 * `inline_query` (the text typed so far, answered with one result within seconds) and
 * `chosen_inline_result` (the result the person sent; it carries `inline_message_id` only when
 * the result had an inline keyboard, which the "⏳ Downloading…" result has). Inline feedback
 * (BotFather /setinlinefeedback) must be on for the second to arrive.
 *
 * An inline update has no chat: the sender alone decides ALLOWED_CHAT_IDS ({@link inlineAllowed}).
 */
export type InlineIntent = InlineIntentBody & { language?: Language };

type InlineIntentBody =
  /** A query holding a link: answer it (a cached result, or the "⏳ Downloading…" one). */
  | { kind: 'inline-query'; queryId: string; userId: number; link: string }
  /** A query without a link yet (the person is still typing): answered with no result. */
  | { kind: 'inline-query-empty'; queryId: string; userId: number }
  /** The "⏳ Downloading…" result was sent: download `link` into `inlineMessageId`. */
  | { kind: 'inline-chosen'; resultId: string; inlineMessageId: string; userId: number; link: string }
  | { kind: 'ignore'; reason: string };

/** Longest text Telegram sends in an inline query (256 characters); anything longer is not one. */
const MAX_QUERY_LENGTH = 256;
const LINK = /^https?:\/\/[^\s<>"]+$/i;
/** Telegram marks "example.com/video" as a link in a message; an inline query is plain text. */
const SCHEMELESS = /^[a-z0-9-]+(\.[a-z0-9-]+)+(\/[^\s<>"]*)?$/i;

/** True for the two inline updates (the webhook routes them here, everything else as before). */
export function isInlineUpdate(update: Update): boolean {
  return update.inline_query !== undefined || update.chosen_inline_result !== undefined;
}

/** Reads an inline update; anything malformed is ignored with a reason. */
export function interpretInlineUpdate(update: Update): InlineIntent {
  const intent = readInline(update);
  if (intent.kind === 'ignore') return intent;
  const from = (update.inline_query ?? update.chosen_inline_result)?.from;
  const language = normalizeLanguage(from?.language_code);
  return language && language !== DEFAULT_LANGUAGE ? { ...intent, language } : intent;
}

function readInline(update: Update): InlineIntentBody {
  const query = update.inline_query;
  if (query) {
    const userId = safeId(query.from?.id);
    if (typeof query.id !== 'string' || query.id === '' || userId === undefined)
      return { kind: 'ignore', reason: 'inline query without id or sender' };
    if (query.from.is_bot) return { kind: 'ignore', reason: 'inline query from a bot' };
    const link = inlineLink(query.query);
    return link
      ? { kind: 'inline-query', queryId: query.id, userId, link }
      : { kind: 'inline-query-empty', queryId: query.id, userId };
  }
  const chosen = update.chosen_inline_result;
  if (chosen) {
    const userId = safeId(chosen.from?.id);
    if (typeof chosen.result_id !== 'string' || userId === undefined)
      return { kind: 'ignore', reason: 'chosen inline result without id or sender' };
    // A cached result is Telegram's own message: nothing is left to do for it.
    if (!isDownloadResultId(chosen.result_id)) return { kind: 'ignore', reason: 'a cached inline result was sent' };
    if (typeof chosen.inline_message_id !== 'string' || chosen.inline_message_id === '')
      return { kind: 'ignore', reason: 'chosen inline result without inline_message_id' };
    const link = inlineLink(chosen.query);
    if (!link) return { kind: 'ignore', reason: 'chosen inline result without a link' };
    return {
      kind: 'inline-chosen',
      resultId: chosen.result_id,
      inlineMessageId: chosen.inline_message_id,
      userId,
      link,
    };
  }
  return { kind: 'ignore', reason: 'not an inline update' };
}

/**
 * The link of an inline query: the whole trimmed text must be one link (`@ourbot <link>`), with
 * or without its scheme (browsers open a bare `example.com/v` as https). Anything else (words,
 * two links, an over-long text) is no link.
 */
export function inlineLink(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.length > MAX_QUERY_LENGTH) return undefined;
  const trimmed = text.trim();
  if (LINK.test(trimmed)) return trimmed;
  if (SCHEMELESS.test(trimmed)) return `https://${trimmed}`;
  return undefined;
}

/** The "⏳ Downloading…" result's id prefix; a cached result's id starts with `c:`. */
const DOWNLOAD_RESULT_PREFIX = 'd:';
const CACHED_RESULT_PREFIX = 'c:';

/** Result ids (1-64 bytes): the kind of result, then a short tag that tells the link's results apart. */
export function inlineResultId(kind: 'download' | 'cached', link: string): string {
  return `${kind === 'download' ? DOWNLOAD_RESULT_PREFIX : CACHED_RESULT_PREFIX}${linkTag(link)}`;
}

export function isDownloadResultId(resultId: string): boolean {
  return resultId.startsWith(DOWNLOAD_RESULT_PREFIX);
}

/** FNV-1a of the link, base 36: a result id need not be secret or unique across links, only short. */
function linkTag(link: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < link.length; i += 1) {
    hash ^= link.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/**
 * ALLOWED_CHAT_IDS for an inline update: it comes from no chat, so the sender's own id must be
 * listed (an allowed group's members are served there, not through inline mode). No list: everyone.
 */
export function inlineAllowed(allowed: ReadonlySet<number> | undefined, userId: number): boolean {
  return !allowed || allowed.has(userId);
}

function safeId(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}
