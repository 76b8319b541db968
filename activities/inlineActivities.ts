import { cancellationSignal } from '@temporalio/activity';
import type { Api } from 'grammy';
import type { InlineQueryResult, InputMedia } from 'grammy/types';
import type { CachedMedia, SentFile } from '../shared/activityTypes.js';
import { INLINE_CANCEL_DATA } from '../shared/contracts/inline.js';
import type { Language } from '../shared/i18n/languages.js';
import { translate } from '../shared/i18n/translate.js';
import {
  callTelegram,
  editFailureOutcome,
  grammySignal,
  isBadRequest,
  toTelegramFailure,
} from './adapters/telegram.js';

export interface InlineActivityDeps {
  api: Api;
}

/** What an inline query is answered with: the cached media, the "⏳ Downloading…" article, or nothing. */
export type InlineAnswer =
  | { kind: 'cached'; resultId: string; media: CachedMedia; caption: string }
  | { kind: 'download'; resultId: string; link: string; language?: Language }
  | { kind: 'none' };

/**
 * How long Telegram's clients may keep an answer: a link's answer changes once it is cached, so
 * only briefly, and per person (the allowlist and quotas are a person's).
 */
const ANSWER_CACHE_SECONDS = 5;

/** The Bot API calls of inline mode, on the `telegram` queue (local activities of the inline workflows). */
export function createInlineActivities({ api }: InlineActivityDeps) {
  const signal = () => grammySignal(cancellationSignal());
  return {
    /** Answers an inline query; a query Telegram no longer knows (too old) is a success: nobody waits for it. */
    async answerInlineQuery(input: { queryId: string; answer: InlineAnswer }): Promise<boolean> {
      const results = inlineResults(input.answer);
      try {
        await api.answerInlineQuery(
          input.queryId,
          results,
          { cache_time: ANSWER_CACHE_SECONDS, is_personal: true },
          signal(),
        );
        return true;
      } catch (error) {
        if (isBadRequest(error, /query is too old|query ID is invalid/i)) return false;
        throw toTelegramFailure(error, 'answerInlineQuery');
      }
    },

    /** Replaces the inline message with a file Telegram has (by file_id); its keyboard goes. */
    async editInlineMedia(input: { inlineMessageId: string; file: SentFile; caption: string }): Promise<void> {
      await callTelegram('editMessageMedia', () =>
        api.editMessageMediaInline(input.inlineMessageId, inputMedia(input.file, input.caption), {}, signal()),
      );
    },

    /** Replaces the inline message's text (the failure, or "Cancelled"); its keyboard goes. False when it is gone. */
    async editInlineText(input: { inlineMessageId: string; text: string }): Promise<boolean> {
      try {
        await api.editMessageTextInline(
          input.inlineMessageId,
          input.text,
          { link_preview_options: { is_disabled: true } },
          signal(),
        );
        return true;
      } catch (error) {
        return editFailureOutcome(error, 'editMessageText');
      }
    },
  };
}

/** The one result of an answer (an inline message holds one media: an album offers its first item). */
export function inlineResults(answer: InlineAnswer): InlineQueryResult[] {
  if (answer.kind === 'none') return [];
  if (answer.kind === 'download') {
    const text = translate(answer.language, 'acknowledged');
    return [
      {
        type: 'article',
        id: answer.resultId,
        title: text,
        description: answer.link,
        input_message_content: { message_text: text, link_preview_options: { is_disabled: true } },
        // The keyboard is what makes Telegram send the chosen result with an inline_message_id.
        reply_markup: {
          inline_keyboard: [[{ text: translate(answer.language, 'button-cancel'), callback_data: INLINE_CANCEL_DATA }]],
        },
      },
    ];
  }
  const file = answer.media.files[0];
  if (!file) return [];
  const title = answer.media.title ?? answer.caption;
  const common = { id: answer.resultId, caption: answer.caption, parse_mode: 'HTML' as const };
  switch (file.kind) {
    case 'video':
      return [{ type: 'video', ...common, video_file_id: file.fileId, title }];
    case 'audio':
      return [{ type: 'audio', ...common, audio_file_id: file.fileId }];
    case 'photo':
      return [{ type: 'photo', ...common, photo_file_id: file.fileId }];
    case 'animation':
      return [{ type: 'gif', ...common, gif_file_id: file.fileId }];
    default:
      return [{ type: 'document', ...common, document_file_id: file.fileId, title }];
  }
}

function inputMedia(file: SentFile, caption: string): InputMedia {
  const common = { media: file.fileId, caption, parse_mode: 'HTML' as const };
  if (file.kind === 'photo') return { type: 'photo', ...common };
  if (file.kind === 'video') return { type: 'video', ...common, supports_streaming: true };
  if (file.kind === 'audio') return { type: 'audio', ...common };
  if (file.kind === 'animation') return { type: 'animation', ...common };
  return { type: 'document', ...common };
}

export type InlineActivities = ReturnType<typeof createInlineActivities>;
