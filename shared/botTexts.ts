/**
 * Everything the bot says to people. One friendly, specific sentence per failure type: a person
 * never sees a stack trace, an error code or a retry count.
 *
 * The words live in one Fluent catalog per language (shared/i18n/catalogs); each function here
 * takes the language last (absent: English, the texts as they always were).
 */
import { formatClipRange, type ClipRange } from './clipRange.js';
import type { QualityChoice, QualityOption } from './qualityChoice.js';
import { FailureType } from './failures.js';
import { decimal, retranslate, translate as t } from './i18n/translate.js';
import type { Language } from './i18n/languages.js';

export type { Language } from './i18n/languages.js';

export const ACKNOWLEDGED = t('en', 'acknowledged');
export const UPLOADING = t('en', 'uploading');
export const CANCELLED = t('en', 'cancelled');
export const SETTINGS_SAVED = t('en', 'settings-saved');
export const SETTINGS_ADMINS_ONLY = t('en', 'settings-admins-only');

/** A text without placeholders, in the language: acknowledged, uploading, cancelled, settings-… */
export function text(
  key:
    | 'acknowledged'
    | 'uploading'
    | 'cancelled'
    | 'settings-saved'
    | 'settings-admins-only'
    | 'settings-title'
    | 'playlist-listing'
    | 'quality-not-yours',
  language?: Language,
): string {
  return t(language, key);
}

export function linkProgressText(index: number, count: number, language?: Language): string {
  return t(language, 'link-progress', { index, count });
}

export function doneSummary(delivered: number, count: number, language?: Language): string {
  if (delivered === 0) return t(language, 'done-none', { count });
  return delivered === count ? t(language, 'done-all', { count }) : t(language, 'done-some', { delivered, count });
}

export function albumCapNote(sent: number, available: number, language?: Language): string {
  return t(language, 'album-cap-note', { sent, available });
}

export function cancelAnswer(cancelled: number, refused: number, language?: Language): string {
  if (cancelled > 0)
    return cancelled === 1 ? t(language, 'cancel-one') : t(language, 'cancel-many', { count: cancelled });
  if (refused > 0) return t(language, 'cancel-refused');
  return t(language, 'cancel-nothing');
}

/** A failed link of several: its failure, then the link. */
export function failedLinkText(failure: string, link: string, language?: Language): string {
  return t(language, 'failed-link', { text: failure, link });
}

/** Telegram HTML: only these three characters need escaping in text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CAPTION_LIMIT = 1024;

/**
 * The caption under sent media: the title, then the source link, at most 1024 characters as
 * Telegram counts them (after HTML parsing), the title shortened when needed.
 */
export function mediaCaption(title: string | undefined, link: string, clip?: ClipRange): string {
  const shownLink = clip ? `${shorten(link, 280)} (${formatClipRange(clip)})` : shorten(link, 300);
  const cleanTitle = (title ?? '').replace(/\s+/g, ' ').trim();
  const shortTitle = shorten(cleanTitle, CAPTION_LIMIT - shownLink.length - 1);
  return shortTitle ? `${escapeHtml(shortTitle)}\n${escapeHtml(shownLink)}` : escapeHtml(shownLink);
}

/** The answer to /start and /help: every command, and the 10-link cap of src/telegram/updates.ts. */
export const HELP_TEXT = t('en', 'help');

export const NO_LINK_TEXT = t('en', 'no-link');

export function helpText(language?: Language): string {
  return t(language, 'help');
}

export function noLinkText(language?: Language): string {
  return t(language, 'no-link');
}

/**
 * The problems the range parsers (shared/clipRange.ts, src/telegram/clipRanges.ts and
 * playlistRanges.ts, activities/adapters/clipCut.ts) name, in English: the catalogs' texts of
 * these keys, written in another language by {@link problemText}.
 */
export const RANGE_PROBLEMS = [
  'problem-not-a-time',
  'problem-same-bounds',
  'problem-end-before-start',
  'problem-not-a-clip-range',
  'problem-clip-needs-link-example',
  'problem-clip-needs-link',
  'problem-clip-needs-end',
  'problem-playlist-needs-link',
  'problem-playlist-one-word',
  'problem-asks-no-entry',
  'problem-asks-beyond-last',
  'problem-ends-before-start',
  'problem-too-many-entries',
  'problem-not-a-playlist-range',
  'problem-beyond-media',
  'range-outside-media',
] as const;

/** A range parser's problem (English) in the language; one it does not know stays in English. */
export function problemText(problem: string, language?: Language): string {
  return retranslate(problem, RANGE_PROBLEMS, language);
}

/** A range that cannot be served, with what is wrong with it. */
export function invalidRangeText(problem: string, language?: Language): string {
  return t(language, 'invalid-range', { problem: problemText(problem, language) });
}

export interface FailureFacts {
  type: string;
  url: string;
  /** What went wrong, in words the person can act on (InvalidRange). */
  reason?: string;
  sizeBytes?: number;
  limitBytes: number;
}

export function failureMessage(facts: FailureFacts, language?: Language): string {
  switch (facts.type) {
    case FailureType.InvalidUrl:
      return t(language, 'failure-invalid-url', { url: facts.url });
    case FailureType.BlockedAddress:
      return t(language, 'failure-blocked-address');
    case FailureType.UnsupportedUrl:
      return t(language, 'failure-unsupported-url');
    case FailureType.ContentUnavailable:
      return t(language, 'failure-content-unavailable');
    case FailureType.NoMediaFound:
      return t(language, 'failure-no-media');
    case FailureType.FileTooLarge:
      return facts.sizeBytes !== undefined
        ? t(language, 'failure-too-large-size', {
            size: formatBytes(facts.sizeBytes, language),
            limit: formatBytes(facts.limitBytes, language),
          })
        : t(language, 'failure-too-large', { limit: formatBytes(facts.limitBytes, language) });
    case FailureType.TelegramBadRequest:
      return t(language, 'failure-telegram-bad-request');
    case FailureType.TelegramRateLimited:
    case FailureType.SendBudgetWait:
      return t(language, 'failure-telegram-rate-limited');
    case FailureType.InsufficientDiskSpace:
      return t(language, 'failure-disk-space');
    case FailureType.QuotaExceeded:
      return t(language, 'failure-quota');
    case FailureType.InvalidRange:
      // The reason comes from the range parser, in English; only the default one is translated.
      return invalidRangeText(facts.reason ?? t(language, 'range-outside-media'), language);
    case FailureType.UnreadablePictures:
      return t(language, 'failure-unreadable-pictures');
    default:
      return t(language, 'failure-other');
  }
}

/** The one answer to anyone outside ALLOWED_CHAT_IDS (at most once per chat per hour). */
export const PRIVATE_BOT_TEXT = t('en', 'private-bot');

export function privateBotText(language?: Language): string {
  return t(language, 'private-bot');
}

/**
 * Why a request was not started, and when to send it again: a running download finishing, or
 * the oldest link of the last hour leaving the window (rounded up to the minute).
 */
export function quotaRefusalText(
  refusal: { reason: 'concurrent'; limit: number } | { reason: 'hourly'; sent: number; retryAfterMs: number },
  language?: Language,
): string {
  if (refusal.reason === 'concurrent') return t(language, 'quota-concurrent', { limit: refusal.limit });
  const minutes = Math.max(1, Math.ceil(refusal.retryAfterMs / 60_000));
  return t(language, 'quota-hourly', { sent: refusal.sent, minutes });
}

/** 52428800 → "50 MB": binary units with the names people use (and the language's decimal comma). */
export function formatBytes(bytes: number, language?: Language): string {
  if (bytes < 1024) return t(language, 'size-bytes', { value: String(bytes) });
  const units = ['size-kb', 'size-mb', 'size-gb'] as const;
  let value = bytes;
  let unit: (typeof units)[number] | 'size-bytes' = 'size-bytes';
  for (const next of units) {
    // 1048575 bytes is "1.0 MB", not "1024.0 KB".
    if (Number(value.toFixed(1)) < 1024) break;
    value /= 1024;
    unit = next;
  }
  return t(language, unit, { value: decimal(language, Number.isInteger(value) ? String(value) : value.toFixed(1)) });
}

/**
 * Cuts text to at most `limit` UTF-16 units (what Telegram counts), ending in "…" when cut, and
 * never inside a character (an emoji is two units).
 */
function shorten(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let result = '';
  for (const character of text) {
    if (result.length + character.length > limit - 1) break;
    result += character;
  }
  return `${result}…`;
}

/** How a quality choice is named in the chat and in the request's status: "720p", "audio", "file". */
export function qualityChoiceLabel(choice: QualityChoice): string {
  if (choice.kind === 'video') return `${choice.height}p`;
  return choice.kind === 'audio' ? 'audio' : 'file';
}

/** A picker button: "720p · 4.2 MB", "🎵 Audio · 1.1 MB", "📄 File". */
export function qualityOptionLabel(option: QualityOption, language?: Language): string {
  const { choice } = option;
  const name =
    choice.kind === 'video'
      ? `${choice.height}p`
      : t(language, choice.kind === 'audio' ? 'quality-audio' : 'quality-file');
  return option.estimatedBytes === undefined
    ? name
    : t(language, 'quality-option-size', { name, size: formatBytes(option.estimatedBytes, language) });
}

/** The status message while the picker waits. */
export function qualityPickerText(title: string | undefined, timeoutSeconds: number, language?: Language): string {
  const wait =
    timeoutSeconds >= 120 && timeoutSeconds % 60 === 0
      ? t(language, 'wait-minutes', { minutes: timeoutSeconds / 60 })
      : t(language, 'wait-seconds', { seconds: timeoutSeconds });
  const what = title
    ? t(language, 'quality-question-title', { title: title.replace(/\s+/g, ' ').trim().slice(0, 200) })
    : t(language, 'quality-question');
  return `${what}\n${t(language, 'quality-wait', { wait })}`;
}

/** The answer to a press on the picker. */
export function qualityChosenAnswer(choice: QualityChoice, language?: Language): string {
  if (choice.kind === 'video') return t(language, 'quality-chosen', { label: `${choice.height}p` });
  return t(language, choice.kind === 'audio' ? 'quality-chosen-audio' : 'quality-chosen-file');
}

export const QUALITY_NOT_YOURS = t('en', 'quality-not-yours');
/** The playlist's status message while entry `entry` of `entries` is on its way. */
export function playlistProgressText(entry: number, entries: number, language?: Language): string {
  return t(language, 'playlist-progress', { entry, entries });
}

/** The playlist's status message while it is being listed. */
export const PLAYLIST_LISTING = t('en', 'playlist-listing');

/** A /playlist whose range cannot be read: the problem, and how to write one. */
export function playlistRangeText(problem: string, language?: Language): string {
  return t(language, 'playlist-range', { problem: problemText(problem, language) });
}

/** Nothing of the range is in the playlist. */
export function playlistNothingText(available: number, range: string | undefined, language?: Language): string {
  return range ? t(language, 'playlist-nothing-range', { available, range }) : t(language, 'playlist-nothing');
}

/**
 * The playlist's last word (an edit of its status message): what arrived, each failed entry with
 * its reason, and what the range asked for beyond MAX_PLAYLIST_ITEMS or beyond the playlist's end.
 */
export function playlistSummary(
  summary: {
    delivered: number;
    total: number;
    failures: Array<{ index: number; reason: string }>;
    leftOut: number;
    cap: number;
    missing: number;
    cancelled?: boolean;
  },
  language?: Language,
): string {
  const { delivered, total, failures } = summary;
  const head = summary.cancelled
    ? t(language, 'playlist-cancelled', { delivered, total })
    : delivered === total
      ? t(language, 'playlist-all', { total })
      : delivered === 0
        ? t(language, 'playlist-none', { total })
        : t(language, 'playlist-some', { delivered, total });
  const lines = [head];
  for (const failure of failures.slice(0, 20))
    lines.push(t(language, 'playlist-item-failed', { index: failure.index, reason: shorten(failure.reason, 120) }));
  if (summary.leftOut > 0) lines.push(t(language, 'playlist-left-out', { leftOut: summary.leftOut, cap: summary.cap }));
  if (summary.missing > 0) lines.push(t(language, 'playlist-missing', { missing: summary.missing }));
  return lines.join('\n');
}

/** Why an entry failed, in a few words for the summary (its failure type decides). */
export function playlistFailureReason(type: string, reason: string, language?: Language): string {
  switch (type) {
    case 'FileTooLarge':
      return t(language, 'reason-too-large');
    case 'ContentUnavailable':
      return t(language, 'reason-unavailable');
    case 'UnsupportedUrl':
    case 'NoMediaFound':
      return t(language, 'reason-no-media');
    case 'BlockedAddress':
    case 'InvalidUrl':
      return t(language, 'reason-refused-link');
    default:
      return `${type}: ${reason}`;
  }
}

/** To the admin chats (ADMIN_CHAT_IDS), after a yt-dlp update run switched versions. */
export function ytDlpSwitchedText(from: string, to: string, host: string): string {
  return `yt-dlp updated: ${from} → ${to} on ${host}; every canary passed. New downloads use it; \`ops ytdlp rollback\` goes back.`;
}

/** To the admin chats, after a candidate's canary failed: the old version stays in use. */
export function ytDlpRefusedText(
  inUse: string,
  candidate: string,
  host: string,
  failed: ReadonlyArray<{ name: string; detail: string }>,
): string {
  const why = failed.map((check) => `- ${check.name}: ${check.detail.slice(0, 300)}`).join('\n');
  return `yt-dlp ${candidate} refused on ${host}: a canary failed; ${inUse} stays in use.\n${why}`;
}
