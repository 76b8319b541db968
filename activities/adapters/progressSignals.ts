import type { DownloadProgressReport } from '../../shared/contracts/mediaRequest.js';
import type { FetchProgress } from './fetchMedia.js';

/**
 * Each signal is a workflow task and four history events of the request: a status query shows the
 * progress of a long download within this long, and a download that is done sooner signals
 * nothing (its heartbeats carry the progress for `ops status` and the Web UI meanwhile).
 */
export const PROGRESS_SIGNAL_INTERVAL_MS = 10_000;

export interface ProgressSignallerOptions {
  /** The activity's attempt, carried by every report. */
  attempt: number;
  intervalMs?: number;
  now?: () => number;
  /** A signal that did not arrive (the workflow closed, Temporal unreachable): progress is cosmetic. */
  onFailure?: (error: unknown) => void;
}

export function progressReportOf(progress: FetchProgress, attempt: number): DownloadProgressReport {
  const { phase, downloadedBytes, totalBytes, speedBytesPerSecond, item, items } = progress;
  const report: DownloadProgressReport = { phase, attempt };
  if (downloadedBytes !== undefined) report.downloadedBytes = downloadedBytes;
  if (totalBytes !== undefined) report.totalBytes = totalBytes;
  if (speedBytesPerSecond !== undefined) report.speedBytesPerSecond = Math.round(speedBytesPerSecond);
  if (item !== undefined) report.item = item;
  if (items !== undefined) report.items = items;
  return report;
}

/**
 * Tells the download's workflow how it is going (downloadProgressSignal): at most every
 * `intervalMs`, the first time once the download has run that long (at once on a retry, whose
 * attempt the status must show), only what changed, one signal in flight at a time. A change of
 * phase waits its turn like any other. Never awaited by the download: a slow or failed signal
 * costs it nothing.
 */
export function createProgressSignaller(
  send: (report: DownloadProgressReport) => Promise<void>,
  options: ProgressSignallerOptions,
) {
  const intervalMs = options.intervalMs ?? PROGRESS_SIGNAL_INTERVAL_MS;
  const now = options.now ?? Date.now;
  let nextAt = options.attempt > 1 ? -Infinity : now() + intervalMs;
  let lastSent: string | undefined;
  let inFlight = false;
  let closed = false;

  async function deliver(report: DownloadProgressReport): Promise<void> {
    try {
      await send(report);
    } catch (error) {
      options.onFailure?.(error);
    } finally {
      inFlight = false;
    }
  }

  return {
    report(progress: FetchProgress): void {
      if (closed || inFlight) return;
      const t = now();
      if (t < nextAt) return;
      const report = progressReportOf(progress, options.attempt);
      const serialized = JSON.stringify(report);
      if (serialized === lastSent) return;
      lastSent = serialized;
      nextAt = t + intervalMs;
      inFlight = true;
      void deliver(report);
    },
    /** The download ended: nothing more is sent (a signal in flight may still arrive). */
    close(): void {
      closed = true;
    },
  };
}
