import { GrammyError, type Api } from 'grammy';
import type { StatusMessage } from '../../shared/activityTypes.js';
import { formatBytes } from '../../shared/botTexts.js';
import type { Language } from '../../shared/i18n/languages.js';
import { isolate, translate as t } from '../../shared/i18n/translate.js';
import { createChatEditGate, PROGRESS_EDIT_INTERVAL_MS, type ChatEditGate, type EditAnswer } from './chatEditGate.js';
import type { FetchProgress } from './fetchMedia.js';
import { cancelKeyboard } from './keyboards.js';
import { isBadRequest } from './telegram.js';

export { PROGRESS_EDIT_INTERVAL_MS };

/** What the download engine reports (see fetchMedia). */
export type DownloadProgress = FetchProgress;

export function progressText(progress: DownloadProgress, language?: Language): string {
  const withItem = (text: string) =>
    progress.items && progress.items > 1
      ? t(language, 'progress-item', { text, item: progress.item ?? 1, items: progress.items })
      : text;
  if (progress.phase === 'probing') return withItem(t(language, 'progress-probing'));
  if (progress.phase === 'converting')
    return withItem(t(language, progress.waitingForConverter ? 'progress-waiting-converter' : 'progress-converting'));
  const parts: string[] = [];
  const { downloadedBytes = 0, totalBytes, speedBytesPerSecond } = progress;
  const size = (bytes: number) => formatBytes(bytes, language);
  if (totalBytes) parts.push(isolate(language, `${Math.min(100, Math.floor((downloadedBytes / totalBytes) * 100))}%`));
  parts.push(
    totalBytes
      ? t(language, 'progress-of', { done: size(downloadedBytes), total: size(totalBytes) })
      : size(downloadedBytes),
  );
  if (speedBytesPerSecond) parts.push(t(language, 'speed', { size: size(Math.round(speedBytesPerSecond)) }));
  return `${withItem(t(language, 'progress-downloading'))} ${parts.join(' · ')}`;
}

/** What a failed progress edit means for the next ones (see {@link ChatEditGate}). */
export function editAnswerOf(error: unknown): EditAnswer {
  if (!(error instanceof GrammyError)) return { kind: 'refused' };
  if (error.error_code === 429) return { kind: 'rate-limited', retryAfterSeconds: error.parameters.retry_after ?? 5 };
  if (error.error_code === 403) return { kind: 'chat-gone' };
  if (isBadRequest(error, /message is not modified/i)) return { kind: 'edited' };
  if (isBadRequest(error, /message to edit not found|MESSAGE_ID_INVALID|chat not found/i))
    return { kind: 'status-gone' };
  return { kind: 'refused' };
}

/**
 * Shows download progress in the status message: not before `intervalMs` after the status was
 * sent, only when the text changed, and when the chat's {@link ChatEditGate} gives this status
 * its turn (pass the worker process's shared gate: every download in a chat then shares one pace;
 * without one, the reporter paces itself alone). A 403 or a vanished status ends its edits.
 * Progress is cosmetic: a failed edit never fails the download.
 */
export function createProgressReporter(
  api: Api,
  status: StatusMessage,
  options: { gate?: ChatEditGate; intervalMs?: number; now?: () => number } = {},
) {
  const intervalMs = options.intervalMs ?? PROGRESS_EDIT_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const gate = options.gate ?? createChatEditGate({ intervalMs, now });
  const firstEditAt = now() + intervalMs; // the "⏳" was just sent
  let lastText = '';
  let stopped = false;
  let inFlight: Promise<void> | undefined;

  return {
    report(progress: DownloadProgress): void {
      if (stopped || inFlight || now() < firstEditAt) return;
      const text = progressText(progress, status.language);
      if (text === lastText) return;
      const turn = gate.tryEdit(status.chatId, status.messageId);
      if (turn === 'stop') stopped = true;
      if (turn !== 'edit') return;
      inFlight = api
        .editMessageText(status.chatId, status.messageId, text, {
          reply_markup: cancelKeyboard(status.requestMessageId, status.language),
        })
        .then(
          (): EditAnswer => ({ kind: 'edited' }),
          (error: unknown) => editAnswerOf(error),
        )
        .then((answer) => {
          if (answer.kind === 'edited') lastText = text;
          if (answer.kind === 'chat-gone' || answer.kind === 'status-gone') stopped = true;
          gate.answered(status.chatId, status.messageId, answer);
        })
        .finally(() => {
          inFlight = undefined;
        });
    },
    /** Waits for the edit in flight, so none lands after the status moved on. */
    async settle(): Promise<void> {
      await inFlight;
    },
    /** The download ended: waits for the edit in flight, and leaves the chat's turns to the others. */
    async close(): Promise<void> {
      stopped = true;
      await inFlight;
      gate.forget(status.chatId, status.messageId);
    },
  };
}
