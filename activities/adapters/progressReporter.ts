import { GrammyError, type Api } from 'grammy';
import type { StatusMessage } from '../../workflows/types.js';
import { formatBytes } from '../../workflows/messages.js';
import type { FetchProgress } from './fetchMedia.js';
import { cancelKeyboard } from './keyboards.js';

/** What the download engine reports (see fetchMedia). */
export type DownloadProgress = FetchProgress;

/** Telegram allows about one message per second per chat; a status line needs far less. */
export const PROGRESS_EDIT_INTERVAL_MS = 3_000;

export function progressText(progress: DownloadProgress): string {
  const item = progress.items && progress.items > 1 ? ` (item ${progress.item ?? 1} of ${progress.items})` : '';
  if (progress.phase === 'probing') return `⏳ Looking at the link…${item}`;
  if (progress.phase === 'converting') return progress.waitingForConverter ? `⚙️ Waiting for a free converter…${item}` : `⚙️ Converting for Telegram…${item}`;
  const parts: string[] = [];
  const { downloadedBytes = 0, totalBytes, speedBytesPerSecond } = progress;
  if (totalBytes) parts.push(`${Math.min(100, Math.floor((downloadedBytes / totalBytes) * 100))}%`);
  parts.push(totalBytes ? `${formatBytes(downloadedBytes)} of ${formatBytes(totalBytes)}` : formatBytes(downloadedBytes));
  if (speedBytesPerSecond) parts.push(`${formatBytes(Math.round(speedBytesPerSecond))}/s`);
  return `⏳ Downloading…${item} ${parts.join(' · ')}`;
}

/**
 * Shows download progress in the status message: at most one edit every 3 s, only when the
 * text changed, one edit in flight at a time, and a 429 silences it for `retry_after`. Progress
 * is cosmetic: a failed edit never fails the download.
 */
export function createProgressReporter(api: Api, status: StatusMessage, options: { intervalMs?: number; now?: () => number } = {}) {
  const intervalMs = options.intervalMs ?? PROGRESS_EDIT_INTERVAL_MS;
  const now = options.now ?? Date.now;
  let nextEditAt = now() + intervalMs; // the "⏳" was just sent
  let lastText = '';
  let inFlight: Promise<void> | undefined;

  return {
    report(progress: DownloadProgress): void {
      const text = progressText(progress);
      if (inFlight || now() < nextEditAt || text === lastText) return;
      nextEditAt = now() + intervalMs;
      inFlight = api
        .editMessageText(status.chatId, status.messageId, text, { reply_markup: cancelKeyboard(status.requestMessageId) })
        .then(
          () => {
            lastText = text;
          },
          (error: unknown) => {
            if (error instanceof GrammyError && error.error_code === 429) {
              nextEditAt = now() + (error.parameters.retry_after ?? 5) * 1000;
            }
          },
        )
        .finally(() => {
          // Counted from the answer too: the next edit then reaches Telegram at least 3 s after
          // this one did, however long this one took on the way.
          nextEditAt = Math.max(nextEditAt, now() + intervalMs);
          inFlight = undefined;
        });
    },
    /** Waits for the edit in flight, so none lands after the status moved on. */
    async settle(): Promise<void> {
      await inFlight;
    },
  };
}
