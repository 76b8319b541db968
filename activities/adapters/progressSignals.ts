import type { DownloadProgressReport } from '../../workflows/downloadProgress.js';
import type { FetchProgress } from './fetchMedia.js';

/** Each signal is a workflow task and a few history events: a few seconds apart is plenty. */
export const PROGRESS_SIGNAL_INTERVAL_MS = 3_000;

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
 * Tells the download's workflow how it is going (downloadProgressSignal): at once when the phase
 * or gallery item changes, otherwise at most every `intervalMs`, only what changed, one signal
 * in flight at a time. Never awaited by the download: a slow or failed signal costs it nothing.
 */
export function createProgressSignaller(send: (report: DownloadProgressReport) => Promise<void>, options: ProgressSignallerOptions) {
  const intervalMs = options.intervalMs ?? PROGRESS_SIGNAL_INTERVAL_MS;
  const now = options.now ?? Date.now;
  let nextAt = -Infinity;
  let lastStage: string | undefined;
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
      const report = progressReportOf(progress, options.attempt);
      const stage = `${report.phase}:${report.item ?? ''}`;
      const t = now();
      if (stage === lastStage && t < nextAt) return;
      const serialized = JSON.stringify(report);
      if (serialized === lastSent) return;
      lastStage = stage;
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
