/**
 * How a media request's status reads: in the Web UI's current details (set by the workflow) and
 * in `npm run ops status`.
 */
import { formatBytes } from './botTexts.js';
import type { DownloadProgressReport, DownloadProgressStatus, RequestStatus } from './contracts/mediaRequest.js';

/** A download's report as the status shows it (also how `ops status` shows a download's heartbeat). */
export function progressStatusOf(report: Omit<DownloadProgressReport, 'attempt'>): DownloadProgressStatus {
  const { phase, downloadedBytes, totalBytes, speedBytesPerSecond, item, items } = report;
  const percent =
    downloadedBytes !== undefined && totalBytes
      ? Math.min(100, Math.floor((downloadedBytes / totalBytes) * 100))
      : undefined;
  return { phase, downloadedBytes, totalBytes, percent, speedBytesPerSecond, item, items };
}

/**
 * The Web UI's current details: short markdown, e.g.
 * `**downloading** (link 2 of 3), clip 1:30–2:45, as 720p, attempt 2` / `**uploading**, in 4 parts` / `downloading 1.2 MB of 4 MB (30%) at 512 KB/s`.
 */
export function currentDetails(status: RequestStatus): string {
  const where =
    (status.links > 1 ? ` (link ${status.link} of ${status.links})` : '') +
    (status.clip ? `, clip ${status.clip}` : '') +
    (status.choice ? `, as ${status.choice}` : '') +
    (status.parts ? `, in ${status.parts} parts` : '');
  const rounds = status.downloadRounds > 1 ? `, download round ${status.downloadRounds}` : '';
  const attempt = status.attempt !== undefined && status.attempt > 1 ? `, attempt ${status.attempt}` : '';
  const lines = [`**${status.phase}**${where}${rounds}${attempt}`];
  if (status.progress) lines.push(describeProgress(status.progress));
  if (status.lastError) lines.push(`last error: ${status.lastError}`);
  return lines.join('\n\n');
}

/** One line, e.g. `downloading 1.2 MB of 4 MB (30%) at 512 KB/s` (also used by `ops status`). */
export function describeProgress(progress: DownloadProgressStatus): string {
  const item =
    progress.items !== undefined && progress.items > 1 ? ` item ${progress.item ?? '?'} of ${progress.items},` : '';
  const done = progress.downloadedBytes !== undefined ? ` ${formatBytes(progress.downloadedBytes)}` : '';
  const total = progress.totalBytes !== undefined ? ` of ${formatBytes(progress.totalBytes)}` : '';
  const percent = progress.percent !== undefined ? ` (${progress.percent}%)` : '';
  const speed =
    progress.speedBytesPerSecond !== undefined ? ` at ${formatBytes(Math.round(progress.speedBytesPerSecond))}/s` : '';
  return `${progress.phase}${item}${done}${total}${percent}${speed}`.replace(/,$/, '');
}
