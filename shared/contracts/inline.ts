/**
 * Inline mode (`@ourbot <link>` in any chat) as other processes address it: two workflow types,
 * their inputs and ids. Recorded in histories: plain JSON, never a secret.
 *
 * - InlineQueryWorkflow answers one `inline_query` (answerInlineQuery must come within seconds,
 *   and the webhook never calls Telegram itself): a cached result by file_id when the media cache
 *   has the link's default key, else the "⏳ Downloading…" article with a Cancel button (the
 *   keyboard is what makes Telegram return an `inline_message_id`).
 * - InlineMediaWorkflow serves the chosen "⏳ Downloading…" result: the sender's quota, the media
 *   delivered to STORAGE_CHAT_ID by the media request's own `deliverLink` (cache, shared
 *   downloads, host rounds), then the inline message edited into that media by file_id, or into
 *   the failure text.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Language } from '../i18n/languages.js';
import type { PolicyOverrides } from '../policyOverrides.js';
import type { QuotaLimits } from '../quotaWindow.js';

export const INLINE_QUERY_WORKFLOW = 'InlineQueryWorkflow';
export const INLINE_MEDIA_WORKFLOW = 'InlineMediaWorkflow';

/** The callback_data of the Cancel button on a "⏳ Downloading…" inline message. */
export const INLINE_CANCEL_DATA = 'inline-cancel';

export interface InlineQueryInput {
  queryId: string;
  userId: number;
  link: string;
  /** The result id of the "⏳ Downloading…" article (and the cached result's, with its own prefix). */
  downloadResultId: string;
  cachedResultId: string;
  /** Parts of the media cache key (the default mode and quality, as a chat without settings). */
  maxUploadBytes: number;
  albumCap: number;
  /** STORAGE_CHAT_ID is set: a link not in the cache can be offered for download. */
  canDownload: boolean;
  policies?: PolicyOverrides;
  language?: Language;
}

export interface InlineQueryResult {
  answered: 'cached' | 'download' | 'none';
}

export interface InlineMediaInput {
  inlineMessageId: string;
  userId: number;
  link: string;
  /** STORAGE_CHAT_ID: where the media is uploaded before it replaces the inline message. */
  storageChatId: number;
  maxUploadBytes: number;
  albumCap: number;
  policies?: PolicyOverrides;
  quota?: QuotaLimits;
  language?: Language;
}

export interface InlineMediaResult {
  outcome: 'delivered' | 'cached';
  fileId: string;
}

/** Who sent the inline request (only they may cancel it). */
export const inlineRequesterQuery = defineQuery<number>('inlineRequester');

/** A press on the Cancel button of the inline message: who pressed, and the callback query to answer. */
export interface InlineCancelPress {
  userId: number;
  callbackQueryId: string;
  /** The presser's language (their Telegram client's); absent: the request's. */
  language?: Language;
}

/**
 * The webhook's word of a Cancel press (it never calls Telegram itself): the workflow answers the
 * press, and cancels its own work when the requester pressed; anyone else is refused and it goes on.
 */
export const inlineCancelSignal = defineSignal<[InlineCancelPress]>('inlineCancel');

/** One answer per query id: Telegram redelivering the update starts nothing new. */
export function inlineQueryWorkflowId(queryId: string): string {
  return `inline-query-${queryId}`;
}

/** One run per inline message: the chosen result delivered twice downloads once. */
export function inlineMediaWorkflowId(inlineMessageId: string): string {
  return `inline-media-${inlineMessageId}`;
}
