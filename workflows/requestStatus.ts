import { defineQuery, patched, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { downloadProgressSignal, type DownloadProgressReport } from './downloadProgress.js';
import { formatBytes } from './messages.js';
import { FailureTypeAttribute, RequestOutcomeAttribute, type RequestOutcome } from './searchAttributes.js';

/** What the running download last reported (see {@link downloadProgressSignal}); its attempt is kept in the status itself. */
export interface DownloadProgressStatus extends Omit<DownloadProgressReport, 'attempt'> {
  /** 0 to 100, when the total size is known. */
  percent?: number;
}

export interface RequestStatus {
  phase:
    | 'acknowledging'
    | 'downloading'
    | 'uploading'
    | 'sending cached'
    | 'waiting for another download'
    | 'done'
    | 'failed'
    | 'cancelled';
  /** 1-based link being handled, of `links`. */
  link: number;
  links: number;
  /** Download attempts (hosts) used for the current link. */
  downloadRounds: number;
  /** The downloadMedia activity's attempt on the current host (1 on the first), once it reported. */
  attempt?: number;
  /** The running download's progress; absent outside a download. */
  progress?: DownloadProgressStatus;
  /** The last failure this request saw: a failed link, a failed request, or a host that vanished. */
  lastError?: string;
}

/** Where the request stands, for the Web UI and `npm run ops`. */
export const statusQuery = defineQuery<RequestStatus>('status');

/** The patch that added the outcome search attributes: runs started before it replay without them. */
export const OUTCOME_SEARCH_ATTRIBUTES_PATCH = 'outcome-search-attributes';

export type Progress = ReturnType<typeof createProgress>;

/**
 * The request's visible state: the `status` query, the current details the Web UI shows, and
 * (once it ends) the RequestOutcome and FailureType search attributes. The download reports its
 * progress by signal while it runs; a report that comes after its download ended (signals and
 * the activity's result travel separately) is stale and ignored. `light`: a run of
 * LIGHT_REQUEST_PATCH (workflows/mediaRequest.ts).
 */
export function createProgress(links: number, options: { light?: boolean } = {}) {
  let status: RequestStatus = { phase: 'acknowledging', link: 1, links, downloadRounds: 0 };
  let downloadRunning = false;
  const update = (change: Partial<RequestStatus>) => {
    status = { ...status, ...change };
    setCurrentDetails(currentDetails(status));
  };
  /** A new step: the previous step's download progress and attempt no longer apply. */
  const step = (change: Partial<RequestStatus>) => {
    downloadRunning = false;
    update({ ...change, progress: undefined, attempt: undefined });
  };
  setHandler(statusQuery, () => status);
  setHandler(downloadProgressSignal, (report) => {
    if (downloadRunning) update({ attempt: report.attempt, progress: progressStatusOf(report) });
  });
  update({});
  return {
    phase: (phase: RequestStatus['phase']) => step({ phase }),
    startLink: (link: number) => step({ link, phase: 'downloading', downloadRounds: 0 }),
    /** Runs this round's download; its progress reports count only until it settles. */
    async downloading<T>(round: number, download: () => Promise<T>): Promise<T> {
      step({ phase: 'downloading', downloadRounds: round });
      downloadRunning = true;
      try {
        return await download();
      } finally {
        downloadRunning = false;
      }
    },
    /** A failure the request saw: a link that failed for good, or one it recovers from. */
    sawError: (type: string, reason: string) => update({ lastError: `${type}: ${reason}` }),
    end(outcome: RequestOutcome, failureType?: string) {
      step({ phase: outcome === 'failed' || outcome === 'cancelled' ? outcome : 'done' });
      // Runs from LIGHT_REQUEST_PATCH on always have them (and record no marker for this patch).
      if (options.light || patched(OUTCOME_SEARCH_ATTRIBUTES_PATCH)) {
        upsertSearchAttributes([
          { key: RequestOutcomeAttribute, value: outcome },
          ...(failureType ? [{ key: FailureTypeAttribute, value: failureType }] : []),
        ]);
      }
    },
  };
}

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
 * `**downloading** (link 2 of 3), attempt 2` / `downloading 1.2 MB of 4 MB (30%) at 512 KB/s`.
 */
export function currentDetails(status: RequestStatus): string {
  const where = status.links > 1 ? ` (link ${status.link} of ${status.links})` : '';
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
