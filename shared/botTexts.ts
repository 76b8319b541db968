/**
 * Everything the bot says to people. One friendly, specific sentence per failure type: a person
 * never sees a stack trace, an error code or a retry count.
 */
import { formatClipRange, type ClipRange } from './clipRange.js';
import type { QualityChoice, QualityOption } from './qualityChoice.js';
import { FailureType } from './failures.js';

export const ACKNOWLEDGED = '⏳ Got it, downloading…';
export const UPLOADING = '📤 Uploading…';
export const CANCELLED = '🚫 Cancelled.';
export const SETTINGS_SAVED = 'Saved ✓';
export const SETTINGS_ADMINS_ONLY = 'Only admins can change the settings of this chat.';

export function linkProgressText(index: number, count: number): string {
  return `⏳ Link ${index} of ${count}: downloading…`;
}

export function doneSummary(delivered: number, count: number): string {
  if (delivered === 0) return `❌ None of the ${count} links could be sent.`;
  return delivered === count ? `✅ All ${count} links sent.` : `✅ ${delivered} of ${count} links sent.`;
}

export function albumCapNote(sent: number, available: number): string {
  return `ℹ️ This gallery has ${available} items; I sent the first ${sent}.`;
}

export function cancelAnswer(cancelled: number, refused: number): string {
  if (cancelled > 0) return cancelled === 1 ? '🚫 Cancelling…' : `🚫 Cancelling ${cancelled} requests…`;
  if (refused > 0) return 'Only the person who sent the link, or an admin, can cancel it.';
  return 'Nothing to cancel: no download is running.';
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
export const HELP_TEXT = [
  'Send me a link to a video or audio (YouTube, news sites, a direct .mp4 or .mp3 link, …) and I will send the media back here. Up to 10 links in one message, handled in order.',
  '',
  '/audio <link> – only the audio',
  '/clip <link> 1:30 2:45 – only that part (or write 1:30-2:45 after any link)',
  '/playlist <link> 2-5 – those entries of a playlist, one by one (also 3,7,9, or -3 for the last three)',
  '/cancel – stop your downloads; as a reply to a link or to my ⏳ message, just that one',
  '/settings – this chat’s default (video, audio or file, or ask each time), highest quality, and whether videos over the limit come in parts',
  '/help – this message',
  '',
  'I reply "⏳" right away, with a Cancel button, then send the file, up to the Telegram upload limit. If I cannot, I tell you why.',
].join('\n');

export const NO_LINK_TEXT =
  'Send me a link (starting with http:// or https://) and I will download the media for you. /help tells more.';

/** A range that cannot be served, with what is wrong with it. */
export function invalidRangeText(problem: string): string {
  return `❌ I cannot cut this clip: ${problem}. Write the part you want after the link, e.g. 1:30-2:45.`;
}

export interface FailureFacts {
  type: string;
  url: string;
  /** What went wrong, in words the person can act on (InvalidRange). */
  reason?: string;
  sizeBytes?: number;
  limitBytes: number;
}

export function failureMessage(facts: FailureFacts): string {
  switch (facts.type) {
    case FailureType.InvalidUrl:
      return `❌ I could not understand this link: ${facts.url}\nSend a full link that starts with http:// or https://.`;
    case FailureType.BlockedAddress:
      return '❌ This link points to a private or local network address, so I will not fetch it.';
    case FailureType.UnsupportedUrl:
      return '❌ This site is not supported, or I found no video or audio on this page.';
    case FailureType.ContentUnavailable:
      return '❌ Download failed: this content is private or unavailable (removed, region-locked or sign-in required).';
    case FailureType.NoMediaFound:
      return '❌ I found nothing to download at this link.';
    case FailureType.FileTooLarge:
      return facts.sizeBytes !== undefined
        ? `❌ This file is too large to send: ${formatBytes(facts.sizeBytes)}, and Telegram bots can send at most ${formatBytes(facts.limitBytes)}.`
        : `❌ This file is too large to send: Telegram bots can send at most ${formatBytes(facts.limitBytes)}.`;
    case FailureType.TelegramBadRequest:
      return '❌ Telegram did not accept this file.';
    case FailureType.TelegramRateLimited:
      return '❌ Telegram asked me to slow down and I could not send this in time. Please send the link again in a minute.';
    case FailureType.InsufficientDiskSpace:
      return '❌ The server is short of disk space right now; please try again later.';
    case FailureType.QuotaExceeded:
      return '❌ You have sent me too many links for now. Please send this one again a little later.';
    case FailureType.InvalidRange:
      return invalidRangeText(facts.reason ?? 'the range is outside the media');
    case FailureType.UnreadablePictures:
      return '❌ The pictures at this link are in a format I cannot read or send.';
    default:
      return '❌ Download failed: the site did not respond properly. Please try again later.';
  }
}

/** The one answer to anyone outside ALLOWED_CHAT_IDS (at most once per chat per hour). */
export const PRIVATE_BOT_TEXT = 'This bot is private.';

/**
 * Why a request was not started, and when to send it again: a running download finishing, or
 * the oldest link of the last hour leaving the window (rounded up to the minute).
 */
export function quotaRefusalText(
  refusal: { reason: 'concurrent'; limit: number } | { reason: 'hourly'; sent: number; retryAfterMs: number },
): string {
  if (refusal.reason === 'concurrent') {
    const downloads = refusal.limit === 1 ? 'a download' : `${refusal.limit} downloads`;
    return `You already have ${downloads} running — send the link again when ${refusal.limit === 1 ? 'it' : 'one'} finishes.`;
  }
  const links = refusal.sent === 1 ? '1 link' : `${refusal.sent} links`;
  return `You've sent ${links} in the last hour — try again in ${Math.max(1, Math.ceil(refusal.retryAfterMs / 60_000))} min.`;
}

/** 52428800 → "50 MB": binary units with the names people use. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 'bytes';
  for (const next of units) {
    // 1048575 bytes is "1.0 MB", not "1024.0 KB".
    if (Number(value.toFixed(1)) < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
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
export function qualityOptionLabel(option: QualityOption): string {
  const { choice } = option;
  const name = choice.kind === 'video' ? `${choice.height}p` : choice.kind === 'audio' ? '🎵 Audio' : '📄 File';
  return option.estimatedBytes === undefined ? name : `${name} · ~${formatBytes(option.estimatedBytes)}`;
}

/** The status message while the picker waits. */
export function qualityPickerText(title: string | undefined, timeoutSeconds: number): string {
  const wait =
    timeoutSeconds >= 120 && timeoutSeconds % 60 === 0 ? `${timeoutSeconds / 60} min` : `${timeoutSeconds} s`;
  const what = title ? `“${title.replace(/\s+/g, ' ').trim().slice(0, 200)}”: which quality?` : 'Which quality?';
  return `${what}\nSizes are estimates. No choice within ${wait}: I send this chat’s default.`;
}

/** The answer to a press on the picker. */
export function qualityChosenAnswer(choice: QualityChoice): string {
  return `${qualityChoiceLabel(choice)} ✓`;
}

export const QUALITY_NOT_YOURS = 'Only the person who sent the link (or an admin) can choose.';
/** The playlist's status message while entry `entry` of `entries` is on its way. */
export function playlistProgressText(entry: number, entries: number): string {
  return `⏳ Playlist: item ${entry} of ${entries}…`;
}

/** The playlist's status message while it is being listed. */
export const PLAYLIST_LISTING = '⏳ Got it, reading the playlist…';

/** A /playlist whose range cannot be read: the problem, and how to write one. */
export function playlistRangeText(problem: string): string {
  return `❌ I cannot read this playlist range: ${problem}. Write it after the link: /playlist <link> 1-5, 3,7,9 or -3 (the last three).`;
}

/** Nothing of the range is in the playlist. */
export function playlistNothingText(available: number, range: string | undefined): string {
  return range
    ? `❌ The playlist has ${available} entries: none of ${range} is in it.`
    : '❌ The playlist has no entries I can send.';
}

/**
 * The playlist's last word (an edit of its status message): what arrived, each failed entry with
 * its reason, and what the range asked for beyond MAX_PLAYLIST_ITEMS or beyond the playlist's end.
 */
export function playlistSummary(summary: {
  delivered: number;
  total: number;
  failures: Array<{ index: number; reason: string }>;
  leftOut: number;
  cap: number;
  missing: number;
  cancelled?: boolean;
}): string {
  const { delivered, total, failures } = summary;
  const head = summary.cancelled
    ? `🚫 Cancelled: ${delivered} of ${total} playlist items sent.`
    : delivered === total
      ? `✅ All ${total} playlist items sent.`
      : delivered === 0
        ? `❌ None of the ${total} playlist items could be sent.`
        : `✅ ${delivered} of ${total} playlist items sent.`;
  const lines = [head];
  for (const failure of failures.slice(0, 20)) lines.push(`❌ item ${failure.index}: ${shorten(failure.reason, 120)}`);
  if (summary.leftOut > 0)
    lines.push(`ℹ️ ${summary.leftOut} more asked for were left out: at most ${summary.cap} items per playlist.`);
  if (summary.missing > 0) lines.push(`ℹ️ ${summary.missing} asked for are not in the playlist.`);
  return lines.join('\n');
}

/** Why an entry failed, in a few words for the summary (its failure type decides). */
export function playlistFailureReason(type: string, reason: string): string {
  switch (type) {
    case 'FileTooLarge':
      return 'too large to send';
    case 'ContentUnavailable':
      return 'not available';
    case 'UnsupportedUrl':
    case 'NoMediaFound':
      return 'no media found';
    case 'BlockedAddress':
    case 'InvalidUrl':
      return 'refused link';
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
